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
import tomllib

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "dl101"  # = [course] id in course.toml

# The stub dlgrade's release writes and verifies (the model's clear_solutions).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# dlcheck.py and public_checks.json travel with the notebook; never the rest.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Autograde copies the source folder's files over the student's; the student's
# public_checks.json holds THEIR variant (the source's is the instructor's), so
# keep it. (The in-kernel checks trust it: nbgrader's path is not tamper-proof.)
with open(os.path.join(c.CourseDirectory.root, "course.toml"), "rb") as _toml:
    _assignments = [a["id"] for a in tomllib.load(_toml).get("assignments", [])]
c.Autograde.exclude_overwriting = {a: ["public_checks.json"] for a in _assignments}

# The check cells run every check of an exercise in the kernel (see
# autograder/grading/inkernel.py): allow a generous time per cell.
c.ExecutePreprocessor.timeout = 120
