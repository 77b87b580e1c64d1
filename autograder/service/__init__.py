"""``grade serve``: students fetch their own notebook, hand in, and read their feedback at once.

    app       the Starlette application: routes, security headers, CSRF, sessions
    store     the service's database: personal links (hashed), hand-ins, attempts, the queue
    runner    the grading queue's consumer: a thread that grades in a process pool
    admin     the instructor's pages (dashboard, flagged hand-ins, class report, CSV, re-grade all)
    visibility  what a student sees of hidden checks before the due date
    gradebook_writer  graded results into nbgrader's gradebook (from the runner thread)
    templates Jinja2 pages (no logic, no inline script)

A layer above ``reports`` (it shows feedback pages) and below ``cli``; it never
touches the sandbox itself (grading goes through ``grading``). Chosen: Starlette
(routes in one list, small endpoints, middleware for headers, the style this
project follows) with Jinja2 and uvicorn; no ORM: the service's tables are a few,
written with SQLAlchemy Core (nbgrader brings it) so they live in embedded SQLite
by default or on PostgreSQL with ``--db``. This ``__init__`` imports nothing.
"""
