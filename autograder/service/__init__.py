"""``grade serve``: students fetch their own notebook, hand in, and read their feedback at once.

    app       the Starlette application: the route table, security headers, the factory
    student_pages  the student's pages (sign-in link, assignments, upload form, feedback)
    api       the JSON API and the notebook download
    identity  who calls: tokens, signed session cookies, CSRF tokens, the session key
    handins   taking a hand-in in (form and API): upload cap, [serve] policy, bounded queue
    attempt_views  what a caller may see of an attempt: their own only, hidden results withheld
    context   what the routes share: the Service, the templates, the upload cap, course lookups
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
