"""The author API: what an exercise module may use from the autograder.

Exercise modules (the bundled ``exercises/`` and a course's own) import from
here and nowhere else in ``autograder``, so the engine's internals can move
without breaking them. Import inside the function that needs it: exercise
modules are loaded where the grader is not wanted (the plugin, the audit).

``Code(source)``
    a Python expression handed to student code as a callable, e.g.
    ``Code("lambda x: x**2")`` for a numerical-gradient exercise: the worker
    evaluates it on its side, so no function object crosses the boundary.
``lines(exercise, title, xlabel, ylabel, series)``, ``surface(...)``
    plot data for the feedback page, returned by an exercise's
    ``figures(student, ref, params)`` (see :mod:`autograder.reports.figures`).
"""
from autograder.reports.figures import lines, surface
from autograder.sandbox.protocol import Code

__all__ = ["Code", "lines", "surface"]
