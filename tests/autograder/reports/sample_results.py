"""Hand-built grading results for the feedback, report and CLI tests.

A small class for assignment ``a2`` of conftest's ``tiny_course`` (due
2026-03-06 23:59 +01:00, 10 minutes grace, 20 % per started day, 3 days at most):

=======  ======  =====================================================  =========================
student  points  what happened                                          submitted
=======  ======  =====================================================  =========================
alice    10/10   everything passed; a "lines" and a "surface" figure    on time
bob      5/10    σ' wrong with the s(1−z) mistake, a hidden check       2 days late (−40 %)
                 failed, prints ``<script>alert(1)</script>``
carol    2/10    the s(1−z) mistake too, an error, a timeout, a cell     4 minutes late (grace)
                 problem, an all-NaN figure
dave     0/10    notebook could not be read (``error`` set)             unknown
=======  ======  =====================================================  =========================
"""
from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

from autograder.reports import figures
from autograder.course.config import Course, load_course
from autograder.grading.results import CellProblem, CheckResult, ExerciseResult, SubmissionResult, write_result

ASSIGNMENT = "a2"
SCRIPT = "<script>alert(1)</script>"
HIDDEN_SECRET = "EXPECTED=0.73105857"
"""Planted in a hidden check's message and output: a page must never show it."""
MISTAKE = "You used s*(1-z): the derivative is s*(1-s), with s = σ(z)."
SIGMOID = ("a2.sigmoid", "The sigmoid and its derivative")
DESCENT = ("a2.descent", "Gradient descent on the error surface")
CHECKS = {  # name: (exercise, points, public, hint of the check)
    "test_sigmoid_values": (SIGMOID, 2.0, True, ""),
    "test_sigmoid_prime": (SIGMOID, 2.0, True, ""),
    "test_sigmoid_large_inputs": (SIGMOID, 1.0, False, "Avoid overflow for large |z|: use np.exp(-abs(z))."),
    "test_descent_step": (DESCENT, 2.0, True, ""),
    "test_descent_converges": (DESCENT, 2.0, False, "Check the sign of the update: w ← w − η ∂L/∂w."),
    "test_descent_learning_rate": (DESCENT, 1.0, True, ""),
}


def check(name: str, status: str = "passed", message: str = "", hint: str = "", output: str = "",
          mistake: str = "") -> CheckResult:
    (_, _), points, public, check_hint = CHECKS[name]
    if status != "passed" and not hint:
        hint = check_hint
    return CheckResult(name=name, status=status, points=points if status == "passed" else 0.0,
                       max_points=points, public=public, message=message, hint=hint, output=output,
                       mistake=mistake)


def exercises_of(overrides: dict[str, CheckResult]) -> tuple[ExerciseResult, ...]:
    """Every check passed except the ``overrides``."""
    out = []
    for key, title in (SIGMOID, DESCENT):
        checks = tuple(overrides.get(name) or check(name) for name, spec in CHECKS.items()
                       if spec[0][0] == key)
        out.append(ExerciseResult(key, title, checks))
    return tuple(out)


def sigmoid_figure(student_prime: np.ndarray | None = None) -> dict:
    z = np.linspace(-6, 6, 81)
    s = 1 / (1 + np.exp(-z))
    student = s * (1 - s) if student_prime is None else student_prime
    return figures.lines(SIGMOID[0], "σ′(z): yours and the reference", "z", "σ′(z)",
                         [{"label": "your sigmoid_prime", "x": z, "y": student, "style": "student"},
                          {"label": "reference", "x": z, "y": s * (1 - s), "style": "reference"}])


def surface_figure() -> dict:
    w, b = np.linspace(-4, 6, 41), np.linspace(-6, 4, 31)
    grid_w, grid_b = np.meshgrid(w, b)
    loss = sum((1 / (1 + np.exp(-(grid_w * x + grid_b))) - y) ** 2 for x, y in ((0.5, 0.2), (2.5, 0.9)))
    return figures.surface(DESCENT[0], "Error surface L(w, b) and your path", "w", "b", w, b, loss,
                           [{"label": "your path", "x": np.linspace(-3, 1.5, 25),
                             "y": np.linspace(-5, -0.5, 25)}])


def class_results() -> list[SubmissionResult]:
    """alice, bob, carol and dave as described in the module docstring."""
    z = np.linspace(-6, 6, 81)
    s = 1 / (1 + np.exp(-z))
    alice = SubmissionResult("alice", ASSIGNMENT, exercises_of({}), submitted_at="2026-03-06T20:00:00+01:00",
                             output="sigmoid(0) = 0.5\n", figures=(sigmoid_figure(), surface_figure()))
    bob = SubmissionResult(
        "bob", ASSIGNMENT, exercises_of({
            "test_sigmoid_prime": check("test_sigmoid_prime", "failed",
                                        message="sigmoid_prime(0.0) returned 0.5, expected 0.25.",
                                        hint=MISTAKE, output=f"debug {SCRIPT}\n", mistake=MISTAKE),
            "test_sigmoid_large_inputs": check("test_sigmoid_large_inputs", "failed",
                                               message=f"This hidden check failed. {HIDDEN_SECRET}",
                                               output=HIDDEN_SECRET),
            "test_descent_converges": check("test_descent_converges", "failed",
                                            message="This hidden check failed."),
        }),
        submitted_at="2026-03-08T10:00:00+01:00", output=f"{SCRIPT}\n<b>bold?</b> & done\n",
        figures=(sigmoid_figure(s * (1 - z)), surface_figure()))
    carol = SubmissionResult(
        "carol", ASSIGNMENT, exercises_of({
            "test_sigmoid_prime": check("test_sigmoid_prime", "failed", message="off at z = 1",
                                        hint=MISTAKE, mistake=MISTAKE),
            "test_sigmoid_large_inputs": check("test_sigmoid_large_inputs", "timeout",
                                               message="Your code ran out of time in this hidden check."),
            "test_descent_step": check("test_descent_step", "error",
                                       message="ZeroDivisionError: division by zero"),
            "test_descent_converges": check("test_descent_converges", "failed",
                                            message="This hidden check failed."),
            "test_descent_learning_rate": check("test_descent_learning_rate", "timeout",
                                                message="descent(...) took longer than 5 s"),
        }),
        submitted_at="2026-03-07T00:03:00+01:00",
        cell_problems=(CellProblem(2, "NameError: name '<b>np</b>' is not defined"),),
        figures=(figures.lines(SIGMOID[0], "all NaN", "z", "y",
                               [{"label": "yours", "x": [0, 1], "y": [float("nan")] * 2,
                                 "style": "student"}]),))
    broken = "notebook is not valid JSON <i>line 3</i>: re-export it from Jupyter"
    dave = SubmissionResult("dave", ASSIGNMENT, exercises_of(
        {name: check(name, "error", message=broken) for name in CHECKS}), error=broken)
    return [alice, bob, carol, dave]


def graded_course(folder: Path, results: list[SubmissionResult] | None = None) -> Course:
    """The course in ``folder`` (e.g. conftest's ``tiny_course``) with ``results`` under ``autograded/``."""
    for result in results or ():
        write_result(result, folder / "autograded" / result.student / result.assignment / "results.json")
    return load_course(folder)


# --------------------------------------------------------------------------
# Reading pages back
# --------------------------------------------------------------------------
class Page(HTMLParser):
    """An HTML page parsed with html.parser: its text, tags, images, links and table rows."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, dict[str, str]]] = []
        self.chunks: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())

    @property
    def images(self) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.attributes if tag == "img"]

    def resources(self) -> list[str]:
        """Every src/href/action/srcset value and every url(...) in style attributes."""
        found = []
        for _, attrs in self.attributes:
            found += [v for k, v in attrs.items() if k in ("src", "href", "action", "srcset", "data")]
            found += re.findall(r"url\(([^)]*)\)", attrs.get("style", ""))
        return found

    def row(self, first_cell: str) -> list[str]:
        """The table row whose first cell starts with ``first_cell``."""
        for row in self.rows:
            if row and row[0].startswith(first_cell):
                return row
        raise AssertionError(f"no table row starting with {first_cell!r}")


def decoded_png(src: str) -> np.ndarray:
    """The pixels of a ``data:image/png;base64,...`` URI (fails if it is not a PNG)."""
    prefix = "data:image/png;base64,"
    if not src.startswith(prefix):
        raise AssertionError(f"not an embedded PNG: {src[:40]!r}")
    data = base64.b64decode(src[len(prefix):], validate=True)
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise AssertionError("the data URI does not hold PNG bytes")
    return matplotlib.image.imread(io.BytesIO(data), format="png")


def colour_pixels(pixels: np.ndarray, hex_colour: str, tolerance: float = 0.06) -> int:
    """How many pixels are within ``tolerance`` (0–1 per channel) of ``hex_colour``."""
    target = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    rgb = pixels[..., :3].astype(float)
    if rgb.max() > 1.0:
        rgb = rgb / 255
    return int(np.sum(np.all(np.abs(rgb - target) <= tolerance, axis=-1)))


def non_white_share(pixels: np.ndarray) -> float:
    rgb = pixels[..., :3].astype(float)
    if rgb.max() > 1.0:
        rgb = rgb / 255
    return float(np.mean(np.any(rgb < 0.95, axis=-1)))


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(page: Path, out: Path, height: int = 2000) -> np.ndarray:
    """Render ``page`` with headless Chromium (Debian's ``chromium``) and return the screenshot's pixels."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`): pages not rendered")
    profile = out.parent / f"chromium-profile-{out.stem}"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={out}",
               f"--window-size=1200,{height}", page.resolve().as_uri()]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if not out.is_file():
        raise AssertionError(f"Chromium wrote no screenshot (exit {completed.returncode}): "
                             f"{completed.stderr[-2000:]}")
    return matplotlib.image.imread(out)
