"""The ``grade`` command: click wiring over the library, one module per group of commands.

    main     the group, ``build``, ``release``, ``check``, ``demo``, the command table
             (``COMMANDS``: one line per command of another module, imported on use)
    lazy     the click group that imports a command's module only when it is asked for
    grading  ``collect``, ``autograde``, ``export``
    reports  ``feedback``, ``report``
    similarity ``similarity``
    ci       ``ci``
    setup    ``init``, ``new-exercise``
    common   the state shared by commands (course, secret, paths)

May import every layer; nothing imports it. The console script is
``autograder.cli.main:main``. This ``__init__`` imports nothing.
"""
