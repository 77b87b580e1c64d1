"""nbgrader's configuration for the sample course (read by `nbgrader ...` run in this folder).

dlgrade writes source/<assignment>/<assignment>.ipynb in nbgrader's format
(cell metadata schema v3, BEGIN/END SOLUTION and BEGIN/END HIDDEN TESTS
markers), so nbgrader's own tools accept it:

    nbgrader generate_assignment a2 --force   # nbgrader's single release/a2/a2.ipynb
    nbgrader validate release/a2/<student>/a2.ipynb

Note: `grade release` writes one folder per student, release/<a>/<student>/;
`nbgrader generate_assignment --force` replaces the whole release/<a>/ folder,
so run one or the other for an assignment, not both.
"""
import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "dl101"  # = [course] id in course.toml

# The stub dlgrade's release writes and verifies (the model's clear_solutions).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A released notebook works alone: its dlcheck cell (no nbgrader metadata, so
# autograde keeps the student's copy and with it THEIR variant) carries the
# check library and the public checks. Nothing else travels with it.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# The check cells run every check of an exercise in the kernel (see
# autograder/grading/inkernel.py): allow a generous time per cell.
c.ExecutePreprocessor.timeout = 120
