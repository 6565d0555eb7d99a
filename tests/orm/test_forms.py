"""teapot.forms: validating a form, saving a model form and building a model formset are
awaited (they may query); what reads their outcome afterwards stays sync and raises
AwaitRequired before."""

import pytest

from teapot import forms
from teapot.errors import AwaitRequired
from teapot.forms import modelformset_factory
from tests.database.testapp.models import Author, Book, Tag

pytestmark = pytest.mark.usefixtures("tables")


class AuthorForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["name", "age"]


class BookForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ["title", "author", "tags"]


class BookAuthorForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ["title", "author"]


async def test_model_form_unique_check_queries_and_reports_the_duplicate():
    await Author.objects.create(name="ann")
    form = AuthorForm({"name": "ann", "age": "3"})
    assert await form.is_valid() is False
    assert form.errors["name"] == ["Author with this Name already exists."]
    assert await Author.objects.count() == 1


async def test_valid_model_form_saves_the_instance():
    form = AuthorForm({"name": "bea", "age": "41"})
    assert await form.is_valid() is True
    author = await form.save()
    assert author.pk is not None
    assert await Author.objects.filter(name="bea", age=41).count() == 1


async def test_errors_of_a_bound_form_need_the_awaited_validation_first():
    form = AuthorForm({"name": "cy", "age": "x"})
    with pytest.raises(AwaitRequired, match="is_valid"):
        form.errors
    with pytest.raises(AwaitRequired):
        form.non_field_errors()
    await form.full_clean()
    assert list(form.errors) == ["age"]
    # An unbound form has no errors and needs no await, as in Django.
    assert AuthorForm().errors == {}


async def test_model_choice_field_looks_the_submitted_key_up():
    ann = await Author.objects.create(name="ann")
    form = BookAuthorForm({"title": "t", "author": str(ann.pk)})
    assert await form.is_valid() is True
    assert form.cleaned_data["author"] == ann
    missing = BookAuthorForm({"title": "t", "author": str(ann.pk + 1000)})
    assert await missing.is_valid() is False
    assert missing.errors["author"] == ["Select a valid choice. That choice is not one of the available choices."]


async def test_model_choice_field_clean_is_awaited_and_sync_clean_refuses():
    ann = await Author.objects.create(name="ann")
    field = Book._meta.get_field("author").formfield()
    assert isinstance(field, forms.ModelChoiceField)
    assert await field.aclean(str(ann.pk)) == ann
    with pytest.raises(AwaitRequired, match="aclean"):
        field.clean(str(ann.pk))
    with pytest.raises(forms.ValidationError, match="required"):
        field.clean("")  # an empty value needs no lookup
    with pytest.raises(forms.ValidationError):
        await field.aclean("not a number")


async def test_model_choices_come_from_the_evaluated_queryset():
    ann = await Author.objects.create(name="ann")
    bob = await Author.objects.create(name="bob")
    field = BookForm().fields["author"]
    with pytest.raises(AwaitRequired, match="await field.queryset"):
        list(field.choices)
    await field.queryset
    values = [(str(value), label) for value, label in field.choices]
    assert values == [("", "---------"), (str(ann.pk), str(ann)), (str(bob.pk), str(bob))]
    assert len(field.choices) == 3
    # Iterated asynchronously, the choices run the query themselves.
    fresh = BookForm().fields["author"]
    assert [str(value) async for value, label in fresh.choices] == ["", str(ann.pk), str(bob.pk)]


async def test_model_multiple_choice_field_checks_every_key_and_saves_the_relation():
    ann = await Author.objects.create(name="ann")
    red = await Tag.objects.create(name="red")
    blue = await Tag.objects.create(name="blue")
    form = BookForm({"title": "t", "author": str(ann.pk), "tags": [str(red.pk), str(blue.pk)]})
    assert await form.is_valid() is True
    book = await form.save()
    assert sorted([t.name async for t in book.tags.all()]) == ["blue", "red"]
    bad = BookForm({"title": "t", "author": str(ann.pk), "tags": [str(red.pk), "99999"]})
    assert await bad.is_valid() is False
    assert bad.errors["tags"] == ["Select a valid choice. 99999 is not one of the available choices."]


async def test_model_formset_is_awaited_once_built_and_then_lists_its_forms():
    await Author.objects.create(name="ann")
    await Author.objects.create(name="bob")
    AuthorFormSet = modelformset_factory(Author, fields=["name"], extra=1)
    with pytest.raises(AwaitRequired):
        AuthorFormSet().forms
    formset = await AuthorFormSet()
    assert len(formset.forms) == 3
    assert [f.instance.name for f in formset.initial_forms] == ["ann", "bob"]
    assert formset.extra_forms[0].instance.pk is None


async def test_bound_model_formset_validates_and_saves():
    ann = await Author.objects.create(name="ann")
    AuthorFormSet = modelformset_factory(Author, fields=["name"], extra=1)
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(ann.pk),
        "form-0-name": "anna",
        "form-1-name": "cyd",
    }
    formset = await AuthorFormSet(data)
    with pytest.raises(AwaitRequired):
        formset.errors
    assert await formset.is_valid() is True
    saved = await formset.save()
    assert sorted(a.name for a in saved) == ["anna", "cyd"]
    assert [a.name async for a in Author.objects.all()] == ["anna", "cyd"]
    duplicate = await AuthorFormSet({**data, "form-0-name": "dan", "form-1-name": "dan"})
    assert await duplicate.is_valid() is False
    assert await duplicate.non_form_errors() == ["Please correct the duplicate data for name."]


async def test_form_renders_from_the_copied_templates():
    html = str(AuthorForm(initial={"name": "dee"}))
    assert '<input type="text" name="name" value="dee" maxlength="100" required id="id_name">' in html
