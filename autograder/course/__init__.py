"""The course folder: its configuration, its students, its notebooks and its gradebook.

    config          course.toml (assignments, deadlines, late policy), roster, secret
    notebooks       building nbgrader-format notebooks from exercise modules
    release         per-student notebooks and public checks
    init            a new course folder (``grade init``), a new exercise skeleton
    templates       the text of the files init writes
    collect         hand-ins from an LMS zip or a folder into submitted/
    late            the late policy applied to a hand-in
    policy          ``[serve]``: attempts, cool-down, late hand-ins, hidden results (grade serve)
    gradebook       nbgrader's Gradebook: students, assignments, scores
    nbgrader_api    nbgrader's gradebook API imported without nbgrader's server extensions
    gradebook_stamp whether the gradebook already holds an unchanged hand-in's rows
    autograde       grading an assignment's hand-ins into the gradebook
    sample_class    the demo class that ``grade demo`` hands in
    sample_answers  notebooks answered the way kinds of students answer

May import ``grading`` (to grade and to record results), ``exercises`` and
``reference``; never ``reports`` or ``cli``, and not ``sandbox`` directly.
This ``__init__`` imports nothing.
"""
