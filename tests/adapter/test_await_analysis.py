"""The analysis behind the translation of overrides and receivers: each way code can escape
what teapot can check is refused with its own reason, and what it translates gets exactly the
awaits it needs. The functions are analysed as if they were hooks.Crate's methods."""

import threading

import pytest
from django.utils import timezone

from tests.adapter.project.hooks.models import Crate


def _translate(func):
    from teapot.adapter.async_translation import translate_function
    from teapot.adapter.await_analysis import Subject

    return translate_function(func, Subject(Crate, instance_names=frozenset({"self"})), owner=Crate, always_async=True)


def uses_a_thread(self):
    threading.Thread(target=self.clean).start()


def enters_a_with_block(self):
    with open("/dev/null"):
        pass


def defines_a_helper(self):
    def helper():
        return 1

    return helper()


def keeps_a_queryset(self):
    empty = Crate.objects.filter(stock=0)
    return empty


def imports_inside(self):
    from django.core.mail import send_mail

    send_mail("subject", "body", None, [])


def awaits_in_a_lambda(self):
    return sorted([1], key=lambda n: self.full_clean())


def updates_a_parameter(self, update_fields):
    update_fields.update({"modified"})


def calls_an_unknown_method_of_a_parameter(self, other):
    other.refresh()


def passes_super_arguments(self):
    super(Crate, self).save()


REFUSALS = {
    uses_a_thread: "it calls `threading.Thread()`, which uses threads",
    enters_a_with_block: "it enters `open(...)` in a `with` block, which teapot cannot check",
    defines_a_helper: "it defines `helper` inside its body",
    keeps_a_queryset: "it builds a queryset (`Crate.objects.filter()`) that is evaluated elsewhere, which teapot cannot follow",
    imports_inside: "it imports `django.core.mail` inside its body, which teapot cannot see",
    awaits_in_a_lambda: "it calls `self.full_clean()` inside a lambda, where it cannot be awaited",
    updates_a_parameter: "it calls `update_fields.update()`, and teapot cannot tell whether `update_fields` holds a queryset",
    calls_an_unknown_method_of_a_parameter: "it calls `other.refresh()`, which teapot cannot follow",
    passes_super_arguments: "it calls super() with arguments; write super() without them",
}


@pytest.mark.parametrize("func", REFUSALS, ids=lambda f: f.__name__)
def test_refusals_say_why(func):
    from teapot.adapter import Untranslatable

    with pytest.raises(Untranslatable) as info:
        _translate(func)
    assert info.value.reason == REFUSALS[func]


def test_source_not_available_is_refused():
    from teapot.adapter import Untranslatable

    scope = {}
    exec("def save(self):\n    pass\n", scope)
    with pytest.raises(Untranslatable) as info:
        _translate(scope["save"])
    assert info.value.reason.startswith("its source is not available")


def plain_work(self, *args, **kwargs):
    kwargs.setdefault("update_fields", None)
    names = sorted({*kwargs, "label"})
    self.label = ", ".join(names).upper()
    self.modified = timezone.now()  # the fork's twin, a sync function
    return len(names)


class Methods:
    # In a class body, as an override is: super() needs its __class__ cell.
    def awaits_where_needed(self, *args, **kwargs):
        self.full_clean()
        Crate.objects.filter(pk__in=Crate.objects.values("pk")).exclude(pk=self.pk).update(stock=0)
        return {"saved": super().save(*args, **kwargs)}


def test_awaits_go_exactly_where_teapot_has_coroutines():
    assert _translate(plain_work).source.startswith("async def plain_work(self, *args, **kwargs):\n")
    assert _translate(plain_work).awaits == 0
    translation = _translate(Methods.awaits_where_needed)
    assert translation.awaits == 3
    assert translation.source == (
        "async def awaits_where_needed(self, *args, **kwargs):\n"
        "    await self.full_clean()\n"
        "    await Crate.objects.filter(pk__in=Crate.objects.values(\"pk\")).exclude(pk=self.pk).update(stock=0)\n"
        "    return {\"saved\": await super().save(*args, **kwargs)}\n"
    )


def asks_a_method_of_the_project(self):
    if self.is_open():
        self.status = 3


def test_methods_of_the_project_that_need_no_await_may_be_called():
    from teapot.adapter.async_translation import translate_function
    from teapot.adapter.await_analysis import Subject
    from tests.adapter.project.orders.models import Order

    subject = Subject(Order, instance_names=frozenset({"self"}))
    translation = translate_function(asks_a_method_of_the_project, subject, always_async=True)
    assert (translation.awaits, translation.source.splitlines()[1]) == (0, "    if self.is_open():")
