"""One rule per module. ``pipeline.RULES`` lists them in the order they run."""
