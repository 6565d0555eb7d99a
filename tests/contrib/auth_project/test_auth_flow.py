"""contrib.auth, contrib.contenttypes and contrib.sites, migrated into an empty database and
back out.

The tests depend on each other's rows and run in file order: migrate, users, passwords,
permissions, then migrate to zero."""

import pytest

import teapot
from teapot.apps import apps
from teapot.db import IntegrityError, connection, transaction

AUTH_TABLES = {
    "auth_group",
    "auth_group_permissions",
    "auth_permission",
    "django_content_type",
    "members_member",
    "members_member_groups",
    "members_member_user_permissions",
    "members_badge",
    "django_site",
}


async def table_names():
    async with connection.cursor() as cursor:
        return set(await connection.introspection.table_names(cursor))


def models():
    from teapot.contrib.auth.models import Group, Permission
    from teapot.contrib.contenttypes.models import ContentType
    from members.models import Badge, GoldBadge, Member

    return ContentType, Permission, Group, Member, Badge, GoldBadge


async def test_migrate_into_an_empty_database():
    assert not (await table_names()) & AUTH_TABLES
    output = await teapot.migrate(verbosity=1)
    assert "Applying contenttypes.0001_initial... OK" in output
    assert "Applying auth.0012_alter_user_first_name_max_length... OK" in output
    assert "Applying members.0001_initial... OK" in output
    assert "Applying sites.0002_alter_domain_unique... OK" in output
    tables = await table_names()
    assert AUTH_TABLES <= tables
    # The user model is swapped: Django's auth_user is not created.
    assert "auth_user" not in tables and "auth_user_groups" not in tables

    from teapot.db.migrations.recorder import MigrationRecorder

    applied = await MigrationRecorder(connection).applied_migrations()
    assert ("contenttypes", "0002_remove_content_type_name") in applied
    assert ("auth", "0011_update_proxy_permissions") in applied
    assert ("members", "0001_initial") in applied
    assert ("sites", "0002_alter_domain_unique") in applied


async def test_migrate_makes_the_default_site_once():
    from teapot.contrib.sites.models import Site

    assert [(s.pk, s.domain) async for s in Site.objects.all()] == [(1, "example.com")]
    await teapot.migrate()
    assert await Site.objects.count() == 1
    # The table's sequence was moved past the site migrate made.
    assert (await Site.objects.create(domain="shop.example", name="Shop")).pk == 2


async def test_content_types_and_permissions_for_every_model():
    ContentType, Permission, *_ = models()
    installed = [m for m in apps.get_models(include_auto_created=False)]
    assert {m._meta.label for m in installed} >= {"auth.Group", "auth.Permission", "members.Member", "members.Badge"}
    rows = {(ct.app_label, ct.model): ct async for ct in ContentType.objects.all()}
    for model in installed + [models()[5]]:
        opts = model._meta
        ct = rows[(opts.app_label, opts.model_name)]
        codenames = {p async for p in Permission.objects.filter(content_type=ct).values_list("codename", flat=True)}
        expected = {f"{action}_{opts.model_name}" for action in ("add", "change", "delete", "view")}
        expected |= {codename for codename, _ in opts.permissions}
        assert codenames == expected, opts.label
    # Four per model, and Badge's own.
    assert await Permission.objects.count() == 4 * len(rows) + 1
    # The proxy has a content type and permissions of its own.
    assert ("members", "goldbadge") in rows
    # Running migrate again creates nothing twice.
    await teapot.migrate()
    assert await Permission.objects.count() == 4 * len(rows) + 1
    assert await ContentType.objects.count() == len(rows)


async def test_create_user_hashes_the_password():
    *_, Member, _, _ = models()
    ann = await Member.objects.create_user("ann", "ann@EXAMPLE.org", "plain words", nickname="A")
    assert ann.pk is not None
    assert ann.password != "plain words" and ann.password.startswith("pbkdf2_sha256$")
    stored = await Member.objects.get(username="ann")
    assert stored.password == ann.password
    assert stored.email == "ann@example.org"  # the domain is lower-cased
    assert stored.nickname == "A"
    assert (stored.is_staff, stored.is_superuser, stored.is_active) == (False, False, True)
    assert stored.has_usable_password()
    # Django's async names work too.
    bea = await Member.objects.acreate_user("bea", password="other words")
    assert bea.password.startswith("pbkdf2_sha256$")
    assert await Member.objects.get_by_natural_key("bea") == bea
    assert await Member.objects.aget_by_natural_key("bea") == bea


async def test_passwords_are_hashed_off_the_event_loop(monkeypatch):
    import threading

    from teapot.contrib.auth import base_user

    *_, Member, _, _ = models()
    loop_thread = threading.get_ident()
    hashed_in = []
    real = base_user.make_password

    def recording(*args, **kwargs):
        hashed_in.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(base_user, "make_password", recording)
    cid = await Member.objects.create_user("cid", password="third words")
    await cid.aset_password("fourth words")
    assert len(hashed_in) == 2 and loop_thread not in hashed_in
    assert await cid.check_password("fourth words")
    await cid.delete()


async def test_check_password():
    *_, Member, _, _ = models()
    ann = await Member.objects.get(username="ann")
    assert await ann.check_password("plain words") is True
    assert await ann.check_password("wrong words") is False
    assert await ann.acheck_password("plain words") is True
    assert await ann.acheck_password("") is False


async def test_a_check_upgrades_an_outdated_hash_and_saves_it():
    from teapot.contrib.auth.hashers import make_password

    *_, Member, _, _ = models()
    ann = await Member.objects.get(username="ann")
    ann.password = make_password("old words", hasher="md5")
    await ann.save(update_fields=["password"])
    assert (await Member.objects.get(pk=ann.pk)).password.startswith("md5$")
    assert await ann.check_password("wrong") is False
    assert (await Member.objects.get(pk=ann.pk)).password.startswith("md5$")
    assert await ann.check_password("old words") is True
    assert (await Member.objects.get(pk=ann.pk)).password.startswith("pbkdf2_sha256$")
    # set_password does no I/O: the new hash is written by save().
    ann.set_password("plain words")
    assert (await Member.objects.get(pk=ann.pk)).password.startswith("pbkdf2_sha256$")
    await ann.save()
    assert await (await Member.objects.get(pk=ann.pk)).check_password("plain words")


async def test_create_superuser_sets_the_flags():
    *_, Member, _, _ = models()
    root = await Member.objects.create_superuser("root", "root@example.org", "root words")
    stored = await Member.objects.get(pk=root.pk)
    assert (stored.is_staff, stored.is_superuser, stored.is_active) == (True, True, True)
    assert await stored.check_password("root words")
    with pytest.raises(ValueError, match="is_staff=True"):
        await Member.objects.create_superuser("half", password="x", is_staff=False)
    assert not await Member.objects.filter(username="half").exists()


async def test_a_duplicate_username_is_refused():
    *_, Member, _, _ = models()
    with pytest.raises(IntegrityError):
        async with transaction.atomic():
            await Member.objects.create_user("ann", password="again")
    assert await Member.objects.filter(username="ann").count() == 1


async def test_permission_checks_are_awaited():
    _, Permission, Group, Member, Badge, _ = models()
    ann = await Member.objects.get(username="ann")
    assert await ann.has_perm("members.add_badge") is False
    assert await ann.get_all_permissions() == set()

    add_badge = await Permission.objects.get(codename="add_badge")
    await ann.user_permissions.add(add_badge)
    awarders = await Group.objects.create(name="awarders")
    await awarders.permissions.add(await Permission.objects.get_by_natural_key("award_badge", "members", "badge"))
    await ann.groups.add(awarders)

    # Permissions are cached on the instance, as in Django: a fresh one sees the new rows.
    ann = await Member.objects.get(pk=ann.pk)
    assert await ann.has_perm("members.add_badge") is True
    assert await ann.ahas_perm("members.award_badge") is True
    assert await ann.has_perm("members.delete_badge") is False
    assert await ann.has_perms(["members.add_badge", "members.award_badge"]) is True
    assert await ann.has_module_perms("members") is True
    assert await ann.has_module_perms("auth") is False
    assert await ann.get_user_permissions() == {"members.add_badge"}
    assert await ann.get_group_permissions() == {"members.award_badge"}
    assert await ann.aget_all_permissions() == {"members.add_badge", "members.award_badge"}

    root = await Member.objects.get(username="root")
    assert await root.has_perm("anything.at_all") is True
    ann.is_active = False
    assert await ann.has_perm("members.add_badge") is False


async def test_authenticate_with_the_model_backend():
    from teapot.contrib.auth import aauthenticate, authenticate

    user = await authenticate(username="ann", password="plain words")
    assert user is not None and user.username == "ann"
    assert user.backend == "teapot.contrib.auth.backends.ModelBackend"
    assert await authenticate(username="ann", password="wrong") is None
    assert await aauthenticate(username="nobody", password="plain words") is None
    assert (await aauthenticate(username="root", password="root words")).is_superuser


async def test_migrate_back_to_zero_removes_the_tables():
    await teapot.migrate("members", "zero")
    tables = await table_names()
    assert not {t for t in tables if t.startswith("members_")}
    assert "auth_permission" in tables
    await teapot.migrate("auth", "zero")
    await teapot.migrate("contenttypes", "zero")
    await teapot.migrate("sites", "zero")
    tables = await table_names()
    assert not tables & AUTH_TABLES
    from teapot.db.migrations.recorder import MigrationRecorder

    assert await MigrationRecorder(connection).applied_migrations() == {}
    # The recorder's own table is all that is left; drop it to leave the database empty.
    async with connection.schema_editor() as editor:
        await editor.delete_model(MigrationRecorder.Migration)
    assert await table_names() == set()
