"""One rule per module. ``pipeline.PRE_RULES``, ``COLOUR_RULES`` and ``POST_RULES`` list them in the order they run."""
