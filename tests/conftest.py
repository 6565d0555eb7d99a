from pathlib import Path

# pytester runs the pytest plugin's own tests (tests/testing).
pytest_plugins = ["pytester"]

ADAPTER_TESTS = Path(__file__).parent / "adapter"


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql", "mysql"),
        default=None,
        help="database of the ORM tests (default: $TEAPOT_TEST_DATABASE, else sqlite)",
    )


def pytest_ignore_collect(collection_path, config):
    # The adapter tests configure teapot from a Django project, and teapot is configured once
    # per process: they run only in a pytest process of their own (`pytest tests/adapter`),
    # never inside another run, where they would be neither run nor reported as skipped.
    if collection_path == ADAPTER_TESTS:
        asked = [Path(arg.split("::")[0]).resolve() for arg in config.args]
        if not any(path == ADAPTER_TESTS or ADAPTER_TESTS in path.parents for path in asked):
            return True
    return None
