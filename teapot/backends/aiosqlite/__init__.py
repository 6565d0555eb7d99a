"""SQLite on aiosqlite: ENGINE = "teapot.backends.aiosqlite"."""
