"""autograder: the engine that grades students' notebooks, in five layers.

Each sub-package has one job; a layer imports only the layers below it
(``tests/autograder/test_layers.py`` checks it with import-linter)::

    cli        the ``grade`` command: click wiring, no logic
    reports    feedback pages, class report, plots, CSV export, CI formats
    course     the course folder: course.toml, roster, secret, notebooks,
               release, collect, late policy, gradebook
    grading    one submission (engine), a class (batch), results, the pytest plugin
    sandbox    the trust boundary: the worker that runs student code and the
               grader's handle on it

:mod:`autograder.authoring` is the small API that exercise modules use
(figures, ``Code``); exercises import nothing else from this package.
This module imports nothing, so that importing any sub-package (above all
the untrusted side, ``sandbox.worker`` and ``sandbox.protocol``) pulls in
nothing else.
"""

__version__ = "0.1.0"
