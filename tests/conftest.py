def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql", "mysql"),
        default=None,
        help="database of the ORM tests (default: $TEAPOT_TEST_DATABASE, else sqlite)",
    )
