"""Overrides of django.db.models.fields.files: a file is stored while its model is saved.

``FieldFile.save()`` is a coroutine in teapot (it may save the model instance), but
``FileField.pre_save()`` runs inside the sync part of a model's save and calls it with
``save=False``, a path that stores the file and never touches the database.
"""

import inspect

from teapot.no_io import run_without_io

from tools.codemod.overrides import override


@override("FileField.pre_save", upstream="88b82beff7cc")
def pre_save(self, model_instance, add):
    """The field's file, committed to storage first when it is new."""
    file = super().pre_save(model_instance, add)
    if file.name is None and file._file is not None:
        exc = FieldError(
            f"File for {self.name} must have the name attribute specified to be saved."
        )
        if PY311 and isinstance(file._file, ContentFile):
            exc.add_note("Pass a 'name' argument to ContentFile.")
        raise exc

    if file and not file._committed:
        # Without save=True the coroutine only writes to storage: it ends without waiting.
        stored = file.save(file.name, file.file, save=False)
        if inspect.iscoroutine(stored):
            run_without_io(stored)
    return file
