"""The trust boundary: where student code runs, and the grader's only handle on it.

Untrusted side (runs student code; imports the standard library, numpy and
:mod:`~autograder.sandbox.protocol` only, nothing else of this project —
``tests/autograder/test_layers.py`` imports it alone with the rest blocked):
    worker      the worker program, copied with protocol.py into a private folder
    protocol    length-prefixed frames and the tagged value encoding (no pickle)

Grader side (trusted):
    handle      :class:`~autograder.sandbox.handle.StudentWorker` and its limits
    process     one running worker: start, channel, kill-everything
    zygote      the pristine template that forks a fresh worker per start
    launch      what a cold start and the zygote share: Python, environment, bwrap

May import: the standard library, numpy and ``exercises.dlcheck`` (the
exceptions a check sees). Never ``grading``, ``course``, ``reports`` or ``cli``.
This ``__init__`` imports nothing.
"""
