"""The benchmark's models on Django, as an installed app (see bench/teapot_app)."""
