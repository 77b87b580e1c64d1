#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# The autograder zip (unpacked in /autograder/source) holds:
#   setup.sh, run_autograder        these two files
#   dist/dlgrade-*.whl              the grader, built by the instructor (python -m build --wheel)
#   course/course.toml              the course (and course/roster.csv to map emails to roster ids)
#   course/exercises/               the course's own exercise modules, if it has any
#   dlgrade.env                     ASSIGNMENT=a2 (and optionally HIDDEN_VISIBILITY=after_due_date)
#   dlgrade.secret                  the course secret (one line)
set -euo pipefail
SOURCE=/autograder/source
export DEBIAN_FRONTEND=noninteractive

apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip bubblewrap >/dev/null

# dlgrade needs Python 3.11 or newer: use the system's if it is, else install 3.11.
PYTHON=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  apt-get install -y -qq python3.11 python3.11-venv >/dev/null
  PYTHON=python3.11
fi

"$PYTHON" -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
# Only the instructor's wheel from the zip: the student's submission is never installed.
wheels=("$SOURCE"/dist/dlgrade-*.whl)
if [ ! -f "${wheels[0]}" ]; then
  echo "setup.sh: no dist/dlgrade-*.whl in the autograder zip; build it with 'python -m build --wheel'" >&2
  exit 1
fi
/autograder/venv/bin/python -m pip install --quiet "${wheels[-1]}"

# The secret and the course are for the grader only (root), not for the student's code.
chmod 600 "$SOURCE/dlgrade.secret" 2>/dev/null || true
chmod -R go-rwx "$SOURCE/course" "$SOURCE/dist"
