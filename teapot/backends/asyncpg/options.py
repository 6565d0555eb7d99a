"""The asyncpg backend's OPTIONS: which are connect() arguments, and libpq's names for them."""

from teapot.core.exceptions import ImproperlyConfigured

# OPTIONS that are teapot's or upstream's, not asyncpg.connect() arguments. client_encoding:
# asyncpg's sessions are UTF8 whatever it says, as upstream's are (it sets UTF8 over it).
NOT_CONNECT_ARGUMENTS = (
    "isolation_level", "assume_role", "server_side_binding", "prepare_threshold", "pool", "cursor_factory", "client_encoding",
)


# libpq's connection option names (what a psycopg-based Django project has in OPTIONS or a
# URL's query) that asyncpg.connect() takes under another name, or not at all.
_LIBPQ_RENAMED = {"sslmode": "ssl", "connect_timeout": "timeout"}
_LIBPQ_UNSUPPORTED = ("sslcert", "sslkey", "sslrootcert", "sslcrl", "sslpassword", "service", "options")


def libpq_to_asyncpg(options: dict) -> None:
    """Rename, in place, the libpq options asyncpg takes under another name; refuse the
    ones it cannot take."""
    for libpq, name in _LIBPQ_RENAMED.items():
        if libpq in options:
            value = options.pop(libpq)
            options.setdefault(name, float(value) if name == "timeout" else value)
    if "application_name" in options:
        settings = {"application_name": options.pop("application_name"), **options.get("server_settings", {})}
        options["server_settings"] = settings
    unsupported = sorted(set(_LIBPQ_UNSUPPORTED) & set(options))
    if unsupported:
        raise ImproperlyConfigured(
            f"OPTIONS {', '.join(unsupported)}: libpq options the asyncpg backend cannot pass on. "
            "Use OPTIONS['ssl'] with an ssl.SSLContext for certificates, and OPTIONS['server_settings'] "
            "for session settings."
        )
