"""nbgrader's gradebook API without its server extensions (:mod:`autograder.course.nbgrader_api`).

Each case runs in a fresh interpreter: what matters is which modules a process
imports, and pytest's own process has imported the whole of nbgrader long ago.
"""
from __future__ import annotations

import json
import subprocess
import sys

SERVER_SIDE = ("nbgrader.server_extensions", "nbgrader.apps", "nbgrader.exchange", "nbgrader.preprocessors",
               "nbconvert", "tornado.web")


def run_fresh(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON line, returned as a dict."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def loaded(prefixes: tuple[str, ...]) -> str:
    """Python text: the names in sys.modules under any of ``prefixes``."""
    return f"sorted(m for m in sys.modules if m.split('.')[0] != '' and m.startswith({prefixes!r}))"


def test_the_gradebook_imports_no_server_extension(tiny_course):
    """Does opening a gradebook and recording an assignment in it leave out nbgrader's server
    extensions, apps, exchange and preprocessors, nbconvert and tornado's web handlers?"""
    found = run_fresh(f"""
import json, sys
from autograder.course.config import load_course
from autograder.course.gradebook import open_gradebook, record_assignment
course = load_course({str(tiny_course)!r})
gb = open_gradebook(course)
record_assignment(gb, course, "a2")
gb.close()
print(json.dumps({{"server": {loaded(SERVER_SIDE)}, "api": "nbgrader.api" in sys.modules}}))
""")
    assert (tiny_course / "gradebook.db").is_file()
    assert found == {"api": True, "server": []}


def test_a_later_import_of_nbgrader_gets_the_whole_package():
    """After the gradebook's light import, does `import nbgrader` give the whole package: its
    version, its server extension points, its server extensions loaded, and the same nbgrader.api?"""
    found = run_fresh("""
import json, sys
from importlib.metadata import version
from autograder.course.nbgrader_api import Gradebook
import nbgrader
import nbgrader.api
print(json.dumps({"version": nbgrader.__version__ == version("nbgrader"),
                  "points": nbgrader._jupyter_server_extension_points(),
                  "formgrader": "nbgrader.server_extensions.formgrader" in sys.modules,
                  "same": Gradebook is nbgrader.api.Gradebook and nbgrader.api is sys.modules["nbgrader.api"],
                  "hook": "__getattr__" in vars(nbgrader)}))
""")
    assert found == {"version": True, "points": [{"module": "nbgrader"}], "formgrader": True, "same": True,
                     "hook": False}


def test_nbgrader_imported_first_is_used_as_it_is():
    """When nbgrader was imported before the gradebook module, is that package used unchanged
    (fully initialised, the same classes)?"""
    found = run_fresh("""
import json, sys
import nbgrader, nbgrader.api
package = sys.modules["nbgrader"]
from autograder.course import nbgrader_api
print(json.dumps({"same": sys.modules["nbgrader"] is package and nbgrader_api.Gradebook is nbgrader.api.Gradebook,
                  "hook": "__getattr__" in vars(nbgrader)}))
""")
    assert found == {"same": True, "hook": False}


def test_a_submodule_import_after_the_light_import_needs_no_attribute():
    """After the light import, do nbgrader's submodules (nbgrader.utils, nbgrader.dbutil) import
    without running the package __init__, and an unknown attribute raise AttributeError once it ran?"""
    found = run_fresh(f"""
import json, sys
import autograder.course.nbgrader_api
from nbgrader.utils import compute_checksum
from nbgrader.dbutil import ALEMBIC_DIR
before = {loaded(("nbgrader.server_extensions",))}
import nbgrader
try:
    nbgrader.no_such_name
    missing = False
except AttributeError:
    missing = True
print(json.dumps({{"before": before, "missing": missing,
                   "after": bool({loaded(("nbgrader.server_extensions",))})}}))
""")
    assert found == {"before": [], "missing": True, "after": True}
