"""Hand-written database backends on native async drivers (ENGINE = "teapot.backends.<name>")."""

# What a cursor used after its connection's lease ended says (the pool may have leased the
# connection to another task since).
CURSOR_OUTLIVED_ITS_LEASE = (
    "This cursor's connection went back to the pool when its lease ended (the cursor was "
    "closed, or its task or teapot.connection() scope ended); use a cursor between opening "
    "and closing it, in the task that opened it."
)
