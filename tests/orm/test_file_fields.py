"""File fields: saving a model stores its new file through the field's storage."""

import pytest

from teapot.core.exceptions import SuspiciousFileOperation
from teapot.core.files.base import ContentFile
from teapot.core.files.storage import FileSystemStorage
from teapot.db import models
from teapot.testing.utils import isolate_apps


def upload_model(location):
    storage = FileSystemStorage(location=location)
    with isolate_apps("tests.database.testapp"):

        class Upload(models.Model):
            doc = models.FileField(storage=storage, upload_to="docs")

            class Meta:
                app_label = "testapp"

    return Upload


def test_pre_save_stores_a_new_file(tmp_path):
    # The model's save calls pre_save() in its sync part; the file must be in storage after it.
    Upload = upload_model(tmp_path)
    upload = Upload(doc=ContentFile(b"hello", name="hello.txt"))
    stored = Upload._meta.get_field("doc").pre_save(upload, add=True)
    assert stored._committed
    assert stored.name == "docs/hello.txt"
    assert (tmp_path / "docs" / "hello.txt").read_bytes() == b"hello"


def test_pre_save_refuses_a_file_name_outside_storage(tmp_path):
    Upload = upload_model(tmp_path)
    upload = Upload(doc=ContentFile(b"x", name="/etc/escape.txt"))
    with pytest.raises(SuspiciousFileOperation, match="path traversal"):
        Upload._meta.get_field("doc").pre_save(upload, add=True)
