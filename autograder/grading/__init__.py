"""Grading: one submission, a class of them, and the results.

    engine      one notebook: its cells in a sandboxed worker, the checks here
    batch       a class in a process pool or on a Dask cluster, resumable (results.json per hand-in)
    job         one submission as data (the hand-in's bytes) and grading it anywhere
    executors   where jobs run: in process, a local pool; dask_cluster: a Dask cluster (optional)
    results     the frozen result dataclasses and their JSON
    call_limits per-call time limits from the model answer's measured cost
    submission  reading a hand-in notebook
    notebook_json  a hand-in's bytes as cells (bounded JSON, no nbformat), nbgrader's checksum
    plugin      the ``dlgrade`` pytest plugin (the same checks under pytest)
    inkernel    hidden checks run inside a Jupyter kernel (nbgrader's autograde)
    selfcheck   ``grade check``: a student's public checks from a terminal

Knows nothing of the course folder: it grades bytes with exercise keys and a
secret. May import ``sandbox``, ``exercises`` and ``reference``; never
``course``, ``reports`` or ``cli``. This ``__init__`` imports nothing.
"""
