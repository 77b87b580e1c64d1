"""autograder: the grading engine, sandbox, pytest plugin, gradebook, reports and CLI."""

__version__ = "0.1.0"
