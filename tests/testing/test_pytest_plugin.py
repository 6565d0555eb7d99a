"""teapot.testing.pytest, used as a service's test suite uses it: each test writes a test file
into the service's project (tests/testing/plugin_project) and runs pytest on it in a
subprocess, then checks the outcomes the inner tests reported."""

ROLLED_BACK = '''
import pytest
from notes.models import Author, Note
from conftest import committed_rows
from service import events


@pytest.fixture
async def author(teapot_db):
    return await Author.objects.acreate(name="written by a fixture")


async def test_writes_of_the_fixture_the_test_and_the_app(teapot_db, author, asgi_client):
    await Note.objects.acreate(author=author, text="written by the test")
    response = await asgi_client.post("/notes", params={"author": author.pk, "text": "written by the app"})
    assert response.status_code == 201
    assert (await asgi_client.get("/notes/count")).json() == {"notes": 2}
    assert await Author.objects.acount() == 1
    # Uncommitted: another connection sees none of it.
    assert await committed_rows("notes_note") == 0
    assert await committed_rows("notes_author") == 0


async def test_nothing_was_left():
    assert await committed_rows("notes_author") == 0
    assert await committed_rows("notes_note") == 0
    assert await Note.objects.acount() == 0
'''


def test_rollback_fixture_undoes_writes_of_fixture_test_and_app(plugin_project):
    plugin_project.makepyfile(test_rolled_back=ROLLED_BACK)
    result = plugin_project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


TRUNCATED = '''
from notes.models import Author, Note
from conftest import committed_rows


async def test_writes_commit(teapot_transactional_db, asgi_client):
    author = await Author.objects.acreate(name="Ann")
    await Note.objects.acreate(author=author, text="written by the test")
    response = await asgi_client.post("/notes", params={"author": author.pk, "text": "written by the app"})
    assert response.status_code == 201
    assert await committed_rows("notes_author") == 1
    assert await committed_rows("notes_note") == 2


async def test_tables_were_emptied():
    assert await committed_rows("notes_author") == 0
    assert await committed_rows("notes_note") == 0


async def test_sequences_start_over(teapot_transactional_db):
    first = await Author.objects.acreate(name="Bea")
    assert first.pk == 1


async def test_refused_inside_the_rollback_fixture(teapot_db, teapot_transactional_db):
    pass
'''


def test_truncating_fixture_commits_then_empties_the_tables(plugin_project):
    plugin_project.makepyfile(test_truncated=TRUNCATED)
    result = plugin_project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        ["*RuntimeError: teapot_transactional_db cannot commit on *'default'*shared test transaction*"]
    )


COUNTED = '''
import asyncio

from notes.models import Author
from teapot.testing.queries import assert_num_queries as imported_assert_num_queries


async def test_statements_of_other_tasks_count(teapot_db, assert_num_queries, asgi_client):
    async with assert_num_queries(3):
        await Author.objects.acount()
        await asyncio.create_task(Author.objects.acount())
        assert (await asgi_client.get("/notes/count")).status_code == 200


async def test_sync_with_and_import(teapot_db):
    with imported_assert_num_queries(1) as counted:
        await Author.objects.filter(name="Ann").acount()
    assert "notes_author" in counted.captured_queries[0]["sql"]


async def test_other_aliases_are_not_counted(teapot_db, assert_num_queries):
    async with assert_num_queries(0, using="elsewhere"):
        await Author.objects.acount()


async def test_fails_with_the_statements(teapot_db, assert_num_queries):
    async with assert_num_queries(0):
        await Author.objects.filter(name="Zed").acount()
'''


def test_assert_num_queries_counts_every_task_and_lists_the_statements(plugin_project):
    plugin_project.makepyfile(test_counted=COUNTED)
    result = plugin_project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: 1 queries executed on 'default', 0 expected",
            "*Captured queries were:",
            "*1. SELECT COUNT(*)*notes_author*Zed*",
        ]
    )
    result.stdout.fnmatch_lines(["FAILED test_counted.py::test_fails_with_the_statements*"])


LIFESPAN = '''
from service import events


async def test_startup_ran_and_state_reaches_requests(teapot_db, asgi_client):
    assert events == ["startup"]
    assert (await asgi_client.get("/greeting")).json() == {"greeting": "hello"}


async def test_shutdown_ran_after_the_test():
    assert events == ["startup", "shutdown"]

'''


def test_client_runs_the_app_lifespan(plugin_project):
    plugin_project.makepyfile(test_lifespan=LIFESPAN)
    result = plugin_project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
