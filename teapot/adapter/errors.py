"""What adapt() raises and warns. Hand-written."""

from teapot.core.exceptions import ImproperlyConfigured


class AdaptError(ImproperlyConfigured):
    """A Django model teapot cannot adapt: names the model, the field (or option) and why."""

    def __init__(self, model: str, field: str | None, reason: str):
        self.model, self.field, self.reason = model, field, reason
        where = f"{model}.{field}" if field else model
        super().__init__(f"cannot adapt {where}: {reason}")


def field_error(owner, dj_field, reason: str) -> AdaptError:
    """The AdaptError for field ``dj_field`` of Django model ``owner`` (None: the field is an
    argument of another, such as GeneratedField's output_field)."""
    model = owner._meta.label if owner is not None else "(an argument)"
    return AdaptError(model, getattr(dj_field, "name", None) or type(dj_field).__name__, reason)


class AdaptWarning(UserWarning):
    """Something of a Django model that adapt() does not carry over (a save() override or a
    signal receiver it cannot translate, say), so that it is never dropped silently."""


class Untranslatable(Exception):
    """A save()/delete() override or a signal receiver that teapot does not carry over, as it
    is or with awaits added: ``reason`` says why (the AdaptWarning gives the same words)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def warn(message: str) -> None:
    """Emit an AdaptWarning attributed to the caller of teapot's API, not to teapot's code."""
    import os
    import sys
    import warnings

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    level, frame = 2, sys._getframe(1)  # stacklevel 2 is the caller of warn()
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package + os.sep):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, AdaptWarning, stacklevel=level)


class NotAdapted(LookupError):
    """A Django model that teapot was asked for (through a content type, say) but that no
    ``adapt()`` call has adapted."""

    def __init__(self, label: str):
        self.label = label
        app_label = label.partition(".")[0]
        super().__init__(
            f"{label} is a model of the Django project that teapot has not adapted: call "
            f"teapot.adapt({label!r}) (or teapot.adapt({app_label!r}) for its whole app) first"
        )
