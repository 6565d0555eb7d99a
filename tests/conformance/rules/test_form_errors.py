"""The conformance rule ``form_errors`` (tools/conformance/rules/form_errors.py): ``x.errors``
read in an async test is awaited through the ``form_errors`` helper, which validates a bound
form first as Django's property does."""

from tools.conformance.rules import form_errors
from tests.conformance.support import full, run


def test_errors_read_in_an_async_test_go_through_the_helper():
    code, context = run(
        form_errors,
        """\
        class T(TestCase):
            def test_it(self):
                form = ProductForm(data)
                self.assertEqual(list(form.errors), [])
                self.assertEqual(form.errors.as_data(), {})
        """,
    )
    assert "self.assertEqual(list((await form_errors(form))), [])" in code
    assert "self.assertEqual((await form_errors(form)).as_data(), {})" in code
    assert "form_errors" in context.helpers


def test_targets_and_sync_code_are_left():
    code, _ = run(
        form_errors,
        """\
        class ProductForm(ModelForm):
            def clean(self):
                return self.errors

        class T(TestCase):
            def test_it(self):
                form.errors = {}
        """,
    )
    assert "return self.errors" in code
    assert "form.errors = {}" in code


def test_the_whole_transform_imports_the_helper():
    code = full(
        """\
        class T(TestCase):
            def test_it(self):
                errors = form.errors
        """
    )
    assert "errors = (await form_errors(form))" in code
    assert "form_errors" in code.split("class T")[0]
