"""A relative MEDIA_URL / STATIC_URL is made absolute under "/" when read (Django prefixes it
with the script prefix of its URL resolver, a module teapot does not have). Before, reading
such a setting, or a file field's ``url`` built from it, raised ModuleNotFoundError."""

from teapot.conf import settings
from teapot.core.files.storage import FileSystemStorage
from teapot.testing.utils import override_settings


def test_relative_media_url_is_prefixed_with_the_root():
    with override_settings(MEDIA_URL="media/", STATIC_URL="static/"):
        assert settings.MEDIA_URL == "/media/"
        assert settings.STATIC_URL == "/static/"


def test_absolute_media_urls_are_kept():
    for url in ("/files/", "http://cdn.example.com/m/", "https://cdn.example.com/m/"):
        with override_settings(MEDIA_URL=url):
            assert settings.MEDIA_URL == url


def test_storage_url_from_a_relative_media_url(tmp_path):
    with override_settings(MEDIA_URL="uploads/", MEDIA_ROOT=str(tmp_path)):
        assert FileSystemStorage().url("a b.txt") == "/uploads/a%20b.txt"
