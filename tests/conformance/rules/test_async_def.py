"""The conformance rule ``async_def`` (tools/conformance/rules/async_def.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import async_def
from tests.conformance.support import COROUTINES, ctx, run, full


def test_async_def_leaves_module_functions_without_io():
    code, _ = run(async_def, "def helper(x):\n    return x + 1\n")
    assert code == "def helper(x):\n    return x + 1\n"


def test_async_def_tests_hooks_and_transitive_helpers():
    source = """
    def make():
        return Author.objects.create(name="a")

    def uses_make():
        return make()

    class T(TestCase):
        @classmethod
        def setUpTestData(cls):
            pass

        def test_x(self):
            pass

        def __str__(self):
            return "t"

        @property
        def p(self):
            return 1
    """
    code, context = run(async_def, source)
    assert "async def make" in code and "async def uses_make" in code
    assert "async def setUpTestData" in code and "async def test_x" in code
    assert "def __str__" in code and "async def __str__" not in code
    assert "async def p" not in code


def test_async_def_model_overrides():
    source = """
    class Article(models.Model):
        def save(self, *args, **kwargs):
            super().save(*args, **kwargs)

        def __str__(self):
            return "a"
    """
    code, _ = run(async_def, source, ctx(is_test_module=False))
    assert "async def save" in code
    assert "async def __str__" not in code


def test_async_def_migration_overrides():
    source = """
    class T(TestCase):
        def test_x(self):
            class Migration(migrations.Migration):
                def apply(self, project_state, schema_editor, collect_sql=False):
                    schema_editor.deferred_sql.append(1)

                def describe(self):
                    return "m"
    """
    code, _ = run(async_def, source, ctx(coroutines=COROUTINES | {"apply"}))
    assert "async def apply" in code
    assert "async def describe" not in code


def test_async_def_backend_part_overrides():
    # Django's test_bypass_role_configuration: teapot's _configure_connection() awaits the hook.
    source = """
    class T(TestCase):
        def test_x(self):
            class CustomDatabaseWrapper(DatabaseWrapper):
                def _configure_role(self, connection):
                    return False

                def describe(self):
                    return "w"
    """
    code, _ = run(async_def, source, ctx(coroutines=COROUTINES | {"_configure_role"}))
    assert "async def _configure_role" in code
    assert "async def describe" not in code


def test_async_def_model_function_without_receiver_stays_sync():
    source = """
    class Article(models.Model):
        def check():
            return [(1, "1")]

        value = models.IntegerField(choices=check)
    """
    code, _ = run(async_def, source, ctx(is_test_module=False))
    assert "    def check():" in code and "async def check" not in code


def test_async_def_leaves_helpers_that_need_no_await():
    source = """
    class T(TestCase):
        def notify(self, x):
            self.notified.append(x)

        def test_x(self):
            self.notify(1)
    """
    code, _ = run(async_def, source)
    assert "    def notify(self, x):" in code and "async def notify" not in code


def test_async_def_helpers_that_evaluate_their_arguments():
    # A helper only ever called, whose body takes len() of or iterates what it is given
    # (a queryset at the call sites), becomes async; so does one given to on_commit.
    source = """
    class T(TestCase):
        def verify(self, results, expected):
            self.assertEqual(len(results), len(expected))

        def done(self, nums):
            self.assertEqual(sorted(t.num for t in Thing.objects.all()), nums)

        def hook(self):
            for t in self.things:
                pass

        def test_x(self):
            self.verify(Author.objects.all(), [1])
            transaction.on_commit(self.hook)
    """
    code = full(source)
    assert "async def verify(self, results, expected):" in code
    assert "async def done(self, nums):" in code
    assert "async def hook(self):" in code
    assert "(await aw(self.verify(Author.objects.all(), [1])))" in code


def test_async_def_helpers_passed_as_values_stay_sync():
    source = """
    class T(TestCase):
        def key(self, obj):
            return len(obj.items)

        def test_x(self):
            sorted(objs, key=self.key)
    """
    code = full(source)
    assert "    def key(self, obj):" in code


def test_async_def_nested_receiver_named_like_a_signal_attribute():
    code = full(
        """
        class T(TestCase):
            def test_x(self):
                def pre_delete(sender, **kwargs):
                    seen.append([a.pk for a in kwargs["instance"].item_set.all()])
                signals.pre_delete.connect(pre_delete)
                signals.pre_delete.disconnect(pre_delete)
        """
    )
    assert "async def pre_delete(sender, **kwargs):" in code
    assert '(await ev(kwargs["instance"].item_set.all()))' in code


def test_async_def_helper_calling_a_per_field_model_method():
    source = """
    def neighbour(e):
        return e.get_next_by_day()
    """
    code = full(source, coroutine_prefixes=("get_next_by_",))
    assert "async def neighbour(e):" in code
    assert "return (await e.get_next_by_day())" in code


def test_async_def_module_function_called_at_import_stays_sync():
    # register() iterates what it is given, which could be a queryset, but the module calls
    # it while it is imported: made async, it would never run.
    source = """
    def register(cls, formats):
        for name in formats:
            setattr(cls, "test_" + name, name)

    def other(items):
        for item in items:
            print(item)

    class T(TestCase):
        def test_x(self):
            other(self.rows)

    register(T, get_formats())
    """
    code = full(source)
    assert "\ndef register(cls, formats):" in code
    assert "async def other(items):" in code


def test_async_def_function_called_at_import_of_another_module_stays_sync():
    source = """
    def register(cls, formats):
        for name in formats:
            setattr(cls, "test_" + name, name)
    """
    code = full(source, import_time_calls=frozenset({"register"}))
    assert "\ndef register(cls, formats):" in code


def test_async_def_mixin_awaits_a_helper_made_async_in_a_subclass_module():
    # tests.py's mixin calls self.values(), which json_tests.py defines and made async.
    source = """
    class Mixin:
        def test_x(self):
            self.assertEqual(self.values(data), [])
    """
    code = full(source, foreign_async_methods=frozenset({"values"}))
    assert "(await aw(self.values(data)))" in code


def test_async_def_helper_ending_a_transaction_of_another_connection():
    # close(), rollback() and set_autocommit() are generic names: on a receiver named as a
    # connection or a cursor they are teapot's coroutines, so the helper becomes async.
    source = """
    class T(TransactionTestCase):
        def end_blocking_transaction(self):
            self.cursor.close()
            self.new_connection.rollback()
            self.new_connection.set_autocommit(True)

        def tearDown(self):
            self.end_blocking_transaction()

        def reads(self, f):
            f.close()
    """
    names = COROUTINES | {"close", "rollback", "set_autocommit"}
    code = full(source, coroutines=names, ambiguous=names)
    assert "async def end_blocking_transaction" in code
    assert "(await aw(self.end_blocking_transaction()))" in code
    assert "(await aw(self.new_connection.rollback()))" in code
    assert "    def reads(self, f):" in code  # a file's close() is not a connection's


def test_async_def_callable_instance_given_to_atomic():
    source = """
    class T(TransactionTestCase):
        def test_x(self):
            class Callable:
                def __call__(self):
                    pass

            class Other:
                def __call__(self):
                    pass

            transaction.atomic(Callable())
            Other()()
    """
    code = full(source)
    assert "async def __call__(self):\n                pass\n\n        class Other:\n            def __call__" in code
