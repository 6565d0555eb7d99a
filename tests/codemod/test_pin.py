"""The pin: upstream.lock, tool versions, and the verified Django sdist."""

import hashlib
import importlib.metadata
import io
import re
import tarfile

import pytest

from tests.codemod.harness import dd

from tools.codemod import pin as pin_module
from tools.codemod.pin import Pin, PinError, check_tools, fetch_sdist, open_source, sha256_of, snapshot_version, write_lock


def make_tarball(path, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


SDIST_FILES = {"django-9.9.9/django/__init__.py": "VERSION = (9, 9, 9)\n", "django-9.9.9/setup.cfg": ""}


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


class TestLoad:
    def test_reads_a_lock_file(self, tmp_path):
        lock = tmp_path / "upstream.lock"
        lock.write_text(dd("""
            [django]
            version = "9.9.9"
            sdist = "django-9.9.9.tar.gz"
            sha256 = "abc"

            [tools]
            libcst = "0.0.1"
            """))
        assert Pin.load(lock) == Pin("9.9.9", "django-9.9.9.tar.gz", "abc", {"libcst": "0.0.1"})

    def test_tools_are_optional(self, tmp_path):
        lock = tmp_path / "upstream.lock"
        lock.write_text('[django]\nversion = "1"\nsdist = "d.tar.gz"\nsha256 = "x"\n')
        assert Pin.load(lock).tools == {}

    def test_the_project_pin(self):
        # A 5.2.x release: tools/sync_upstream.py moves the pin within the series.
        pin = Pin.load()
        assert re.fullmatch(r"5\.2\.\d+", pin.version)
        assert pin.sdist == f"django-{pin.version}.tar.gz"
        assert len(pin.sha256) == 64 and set(pin.sha256) <= set("0123456789abcdef")
        assert "libcst" in pin.tools


class TestCheckTools:
    def test_mismatched_version_is_refused(self):
        installed = importlib.metadata.version("libcst")
        with pytest.raises(PinError, match=f"libcst {installed} is installed but upstream.lock pins 0.0.1"):
            check_tools(Pin("9.9.9", "d.tar.gz", "x", {"libcst": "0.0.1"}))

    def test_matching_version_passes(self):
        check_tools(Pin("9.9.9", "d.tar.gz", "x", {"libcst": importlib.metadata.version("libcst")}))

    def test_missing_tool_is_refused(self):
        with pytest.raises(PinError, match="not installed"):
            check_tools(Pin("9.9.9", "d.tar.gz", "x", {"teapot-no-such-distribution": "1.0"}))


class TestOpenSource:
    def test_pinned_name_with_wrong_sha256_is_rejected(self, tmp_path):
        tarball = make_tarball(tmp_path / "django-9.9.9.tar.gz", SDIST_FILES)
        work = tmp_path / "work"
        work.mkdir()
        with pytest.raises(PinError, match="does not match the sha256"):
            open_source(Pin("9.9.9", "django-9.9.9.tar.gz", "0" * 64, {}), tarball, work)
        assert list(work.iterdir()) == []  # nothing unpacked

    def test_pinned_name_with_right_sha256_is_unpacked(self, tmp_path):
        tarball = make_tarball(tmp_path / "django-9.9.9.tar.gz", SDIST_FILES)
        work = tmp_path / "work"
        work.mkdir()
        root = open_source(Pin("9.9.9", "django-9.9.9.tar.gz", sha(tarball), {}), tarball, work)
        assert root == work / "django-9.9.9"
        assert (root / "django" / "__init__.py").read_text() == "VERSION = (9, 9, 9)\n"
        assert not (root / "setup.cfg").exists()  # only the package is unpacked

    def test_other_tarball_is_taken_as_given(self, tmp_path):
        tarball = make_tarball(tmp_path / "patched.tar.gz", SDIST_FILES)
        work = tmp_path / "work"
        work.mkdir()
        root = open_source(Pin("9.9.9", "django-9.9.9.tar.gz", "0" * 64, {}), tarball, work)
        assert (root / "django" / "__init__.py").exists()

    def test_tarball_without_django_is_rejected(self, tmp_path):
        tarball = make_tarball(tmp_path / "other.tar.gz", {"x/setup.py": ""})
        work = tmp_path / "work"
        work.mkdir()
        with pytest.raises(PinError, match="holds no single django/ package"):
            open_source(Pin("9.9.9", "django-9.9.9.tar.gz", "0" * 64, {}), tarball, work)

    def test_folders(self, tmp_path):
        pin = Pin("9.9.9", "django-9.9.9.tar.gz", "0" * 64, {})
        (tmp_path / "src" / "django").mkdir(parents=True)
        (tmp_path / "src" / "django" / "__init__.py").write_text("")
        assert open_source(pin, tmp_path / "src", tmp_path) == tmp_path / "src"
        assert open_source(pin, tmp_path / "src" / "django", tmp_path) == tmp_path / "src"
        with pytest.raises(PinError, match="holds no django/ package"):
            open_source(pin, tmp_path, tmp_path)


class TestFetch:
    def test_verified_cache_is_used(self, tmp_path, monkeypatch):
        monkeypatch.setenv("TEAPOT_CACHE_DIR", str(tmp_path))
        cached = make_tarball(tmp_path / "django-9.9.9.tar.gz", SDIST_FILES)

        def no_download(*args, **kwargs):
            raise AssertionError("a verified cache must not be downloaded again")

        monkeypatch.setattr(pin_module, "_download_from_index", no_download)
        assert fetch_sdist(Pin("9.9.9", "django-9.9.9.tar.gz", sha(cached), {})) == cached

    def test_download_with_wrong_sha256_is_refused(self, tmp_path, monkeypatch):
        monkeypatch.setenv("TEAPOT_CACHE_DIR", str(tmp_path / "cache"))

        def fake_download(pin, dest):
            dest.write_bytes(b"not the sdist")
            return "https://index.invalid/simple"

        monkeypatch.setattr(pin_module, "_download_from_index", fake_download)
        with pytest.raises(PinError, match="has sha256"):
            fetch_sdist(Pin("9.9.9", "django-9.9.9.tar.gz", "0" * 64, {}))
        assert not (tmp_path / "cache" / "django-9.9.9.tar.gz").exists()

    def test_sha256_of(self, tmp_path):
        path = tmp_path / "f"
        path.write_bytes(b"teapot")
        assert sha256_of(path) == hashlib.sha256(b"teapot").hexdigest()


class TestSnapshotVersion:
    @pytest.mark.parametrize("version, text", [
        ((5, 2, 19, "final", 0), "5.2.19"),
        ((6, 0, 0, "final", 0), "6.0"),
        ((6, 0, 0, "rc", 1), "6.0.0rc1"),
        ((5, 2, 0, "alpha", 0), "5.2.0a0"),
    ])
    def test_reads_django_version(self, tmp_path, version, text):
        (tmp_path / "django").mkdir()
        (tmp_path / "django" / "__init__.py").write_text(f"from x import y\n\nVERSION = {version!r}\n")
        assert snapshot_version(tmp_path) == text

    def test_without_version(self, tmp_path):
        (tmp_path / "django").mkdir()
        (tmp_path / "django" / "__init__.py").write_text("")
        with pytest.raises(PinError, match="has no VERSION"):
            snapshot_version(tmp_path)


class TestWriteLock:
    def test_moves_the_django_table_and_keeps_the_rest(self, tmp_path):
        lock = tmp_path / "upstream.lock"
        text = dd("""
            # comment
            [django]
            version = "9.9.9"
            sdist = "django-9.9.9.tar.gz"
            sha256 = "abc"

            [tools]
            # version = "not this one"
            libcst = "0.0.1"
            """)
        lock.write_text(text)
        write_lock(Pin("9.9.10", "django-9.9.10.tar.gz", "def", {"ignored": "1"}), lock)
        assert lock.read_text() == text.replace("9.9.9", "9.9.10").replace('"abc"', '"def"')
        assert Pin.load(lock) == Pin("9.9.10", "django-9.9.10.tar.gz", "def", {"libcst": "0.0.1"})

    def test_refuses_a_lock_it_cannot_edit(self, tmp_path):
        lock = tmp_path / "upstream.lock"
        lock.write_text('[django]\nversion = "1"\n')
        with pytest.raises(PinError, match="sdist is not a single quoted value"):
            write_lock(Pin("2", "d.tar.gz", "x", {}), lock)
        assert lock.read_text() == '[django]\nversion = "1"\n'
