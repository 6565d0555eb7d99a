"""Hand-written database backends on native async drivers (ENGINE = "teapot.backends.<name>")."""
