"""pytest plugin: the `student`, `ref` and `params` fixtures and the `points` marker."""
