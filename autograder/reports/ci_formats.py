"""One :class:`SubmissionResult` rendered for CI systems: pure functions, no I/O.

Formats (field names checked against each system's own documentation or code):

GitHub Classroom
    the result JSON that ``classroom-resources/autograding-grading-reporter``
    reads, base64-encoded into a step output named ``result``::

        {"version": 1, "status": "pass" | "fail" | "error", "max_score": Y,
         "tests": [{"name", "status": "pass" | "fail" | "error", "message",
                    "test_code", "filename", "line_no", "execution_time", "score"}]}

    The reporter shows "Points X/Y" with X the sum of ``tests[].score`` and Y
    the sum of ``max_score`` over runners; it reads only ``status``,
    ``max_score`` and the tests' ``name``, ``status``, ``message``, ``score``.
    (The command grader calls the time ``duration``; we call it
    ``execution_time``, in seconds, as other graders do; the reporter reads neither.)
Gradescope
    ``/autograder/results/results.json``: top level ``score``,
    ``execution_time``, ``output``, ``visibility``, ``stdout_visibility``,
    ``tests``; per test ``score``, ``max_score``, ``status`` ("passed" or
    "failed"), ``name``, ``number``, ``output``, ``tags``, ``visibility``
    ("hidden", "after_due_date", "after_published", "visible").
JUnit XML
    ``<testsuites><testsuite><testcase classname name time>`` with
    ``<failure>`` (wrong answer) or ``<error>`` (raised, crashed, timed out).

The rule for hidden checks, in every format: a hidden check shows its name,
its score, a fixed sentence for its status and its hint, and nothing else:
not its message, not the student's printed output during it (either could
carry the hidden inputs or expected values out), not its time. Times shown
are those of the public checks only (:func:`shown_seconds`): the hidden phase
runs the student's code on hidden inputs, and its length is the student's to
choose.

What each system shows, and when (trust invariant 10: CI outputs reveal what
the course allows, no more):

* Gradescope: hidden checks carry ``hidden_visibility`` (``after_due_date`` by
  default). While they are not ``visible``, the visible ``output`` speaks of
  the public checks only (their points, never a total that includes hidden
  ones); the top-level ``score`` is the full total, which Gradescope itself
  keeps from students while any test is hidden. Every text is plain
  (``output_format``/``test_output_format``/``test_name_format`` = ``text``).
* GitHub Classroom and JUnit have no visibility: they show each hidden
  check's name, points, status sentence and hint at once, as the feedback page
  does; never its inputs, values, output or time.

Student-controlled text (messages, printed output, ids) is made inert by
:mod:`autograder.reports.escape` for each format: JSON in ASCII without lone
surrogates, XML 1.0 characters only, markdown cells and code blocks that
cannot break out.
"""
from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from typing import Any

from autograder.grading.results import CheckResult, ExerciseResult, SubmissionResult
from autograder.reports.escape import json_text, markdown_cell, markdown_code, xml_text

GRADESCOPE_VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
CLASSROOM_STATUS = {"passed": "pass", "failed": "fail", "error": "error", "timeout": "error",
                    "pending": "error", "graded": "pass"}  # a written answer: needs grading / graded by hand
HIDDEN_STATUS_SENTENCE = {
    "passed": "This hidden check passed.",
    "failed": "This hidden check failed.",
    "error": "Your code raised an error or crashed in this hidden check.",
    "timeout": "Your code ran out of time in this hidden check.",
}
NOT_GRADED_NAME = "notebook could be graded"


def points_text(value: float) -> str:
    """``2.0 -> "2"``, ``1.5 -> "1.5"``: points as a person writes them."""
    return f"{value:g}"


def check_label(exercise: ExerciseResult, check: CheckResult) -> str:
    """The name one check goes by in every format: ``"a2.sigmoid::test_values"``."""
    return f"{exercise.key}::{check.name}"


def feedback(check: CheckResult, *, with_output: bool = True) -> str:
    """What a student may read about one check.

    Public checks: the message, the hint and (``with_output``) what the
    student's code printed. Hidden checks: a fixed sentence for the status and
    the hint, never the message or the printed output.
    """
    if not check.public:
        parts = [HIDDEN_STATUS_SENTENCE.get(check.status, HIDDEN_STATUS_SENTENCE["error"])]
        if check.hint and check.status != "passed":
            parts.append(f"Hint: {check.hint}")
        return "\n".join(parts)
    parts = [check.message] if check.message else []
    if check.hint and check.status != "passed":
        parts.append(f"Hint: {check.hint}")
    if with_output and check.output:
        parts.append(f"Your code printed:\n{check.output}")
    return "\n".join(parts)


def shown_seconds(result: SubmissionResult) -> float:
    """Seconds a student may see the grading take: the public checks' time only."""
    return round(sum(check.duration for _, check in result.checks() if check.public), 3)


def _not_graded_reason(result: SubmissionResult) -> str:
    return f"The notebook could not be graded: {result.error}"


# --------------------------------------------------------------------------- GitHub Classroom

def github_classroom_result(result: SubmissionResult) -> dict[str, Any]:
    """The grading reporter's result JSON (see the module docstring for the fields).

    .. math:: max\\_score = \\sum_{checks} max\\_points, \\qquad
              \\sum_{tests} score = \\sum_{checks} points

    A result that could not be graded has status ``error``; when it has no
    checks at all, one test named ``"notebook could be graded"`` says why.
    """
    tests = [{
        "name": check_label(exercise, check),
        "status": CLASSROOM_STATUS[check.status],
        "message": "" if check.status == "passed" else feedback(check, with_output=False),
        "test_code": "",
        "filename": "",
        "line_no": 0,
        "execution_time": round(check.duration, 3),
        "score": check.points,
    } for exercise, check in result.checks()]
    if result.error and not tests:
        tests.append({"name": NOT_GRADED_NAME, "status": "error", "message": _not_graded_reason(result),
                      "test_code": "", "filename": "", "line_no": 0, "execution_time": 0,
                      "score": 0})
    if result.error:
        status = "error"
    elif all(t["status"] == "pass" for t in tests):
        status = "pass"
    else:
        status = "fail"
    data: dict[str, Any] = {"version": 1, "status": status, "max_score": result.max_points, "tests": tests}
    if result.error:
        data["message"] = _not_graded_reason(result)
    return data


def github_classroom_output(result: SubmissionResult) -> str:
    """The value of the ``result`` step output: the classroom JSON, compact, base64 on one line."""
    text = json_text(github_classroom_result(result), separators=(",", ":"))
    return base64.b64encode(text.encode("ascii")).decode("ascii")


# --------------------------------------------------------------------------- Gradescope

def gradescope_results(result: SubmissionResult, *, hidden_visibility: str = "after_due_date") -> dict[str, Any]:
    """Gradescope's ``results.json`` for one submission.

    Public checks are ``visible``; hidden checks get ``hidden_visibility``
    (Gradescope shows ``after_due_date`` ones once the deadline has passed).
    Gradescope's status has two values, so error and timeout count as
    ``"failed"``; the test's output says which it was. A submission that could
    not be graded gets ``score`` 0 and an ``output`` that says why.
    """
    if hidden_visibility not in GRADESCOPE_VISIBILITIES:
        raise ValueError(f"hidden visibility {hidden_visibility!r} is not one of Gradescope's "
                         f"{', '.join(GRADESCOPE_VISIBILITIES)}")
    tests = []
    for e_index, exercise in enumerate(result.exercises, start=1):
        for c_index, check in enumerate(exercise.checks, start=1):
            tests.append({
                "name": check_label(exercise, check),
                "number": f"{e_index}.{c_index}",
                "score": check.points,
                "max_score": check.max_points,
                "status": "passed" if check.status == "passed" else "failed",
                "output": feedback(check),
                "tags": [exercise.key, "public" if check.public else "hidden"],
                "visibility": "visible" if check.public else hidden_visibility,
            })
    hidden_shown = hidden_visibility == "visible" or all(c.public for _, c in result.checks())
    return {
        "score": 0 if result.error else result.points,
        "execution_time": shown_seconds(result),
        "output": summary_text(result) if hidden_shown else public_summary_text(result),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"student": result.student, "assignment": result.assignment,
                       "sandbox": result.sandbox, "grader_version": result.grader_version,
                       "notebook_sha256": result.notebook_sha256},
    }


# --------------------------------------------------------------------------- JUnit XML

def junit_xml(result: SubmissionResult) -> str:
    """JUnit XML: one ``<testcase>`` per check, ``classname`` the exercise key.

    ``failed`` becomes ``<failure>``, ``error`` and ``timeout`` become
    ``<error type="error|timeout">``; the ``message`` attribute is the first
    line of :func:`feedback`. A result that could not be graded and has no
    checks gets one errored test case saying why.
    """
    cases: list[ET.Element] = []
    for exercise, check in result.checks():
        case = ET.Element("testcase", classname=xml_text(exercise.key), name=xml_text(check.name),
                          time=f"{check.duration:.3f}")
        if check.status != "passed":
            text = xml_text(feedback(check, with_output=False))
            tag = "failure" if check.status == "failed" else "error"
            element = ET.SubElement(case, tag, message=text.splitlines()[0] if text else check.status,
                                    type=check.status)
            element.text = text
        if check.public and check.output:
            ET.SubElement(case, "system-out").text = xml_text(check.output)
        cases.append(case)
    if result.error and not cases:
        case = ET.Element("testcase", classname=xml_text(result.assignment or "dlgrade"), name=NOT_GRADED_NAME,
                          time="0")
        reason = xml_text(_not_graded_reason(result))
        ET.SubElement(case, "error", message=reason.splitlines()[0], type="not graded").text = reason
        cases.append(case)
    failures = sum(1 for c in cases if c.find("failure") is not None)
    errors = sum(1 for c in cases if c.find("error") is not None)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": str(errors),
              "skipped": "0", "time": f"{shown_seconds(result):.3f}"}
    root = ET.Element("testsuites", name="dlgrade", **{k: v for k, v in counts.items() if k != "skipped"})
    suite = ET.SubElement(root, "testsuite", name=xml_text(f"{result.assignment}:{result.student}"), **counts)
    properties = ET.SubElement(suite, "properties")
    for name, value in (("student", result.student), ("assignment", result.assignment),
                        ("points", points_text(result.points)),
                        ("max_points", points_text(result.max_points)), ("sandbox", result.sandbox)):
        ET.SubElement(properties, "property", name=name, value=xml_text(value))
    suite.extend(cases)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --------------------------------------------------------------------------- human summaries

def _passed_count(exercise: ExerciseResult) -> int:
    return sum(1 for c in exercise.checks if c.status == "passed")


def _summary_lines(result: SubmissionResult, heading: str, public_only: bool) -> str:
    """The summary's text: ``heading``, then per exercise a line and what to fix, then cell problems.
    ``public_only``: hidden checks are left out (their count is in the heading)."""
    lines = [heading]
    if result.error:
        lines.append(_not_graded_reason(result))
    for exercise in result.exercises:
        checks = [c for c in exercise.checks if c.public or not public_only]
        passed = sum(1 for c in checks if c.status == "passed")
        if public_only:
            lines.append(f"  {exercise.key} ({exercise.title}): {passed}/{len(checks)} public checks passed")
        else:
            lines.append(f"  {exercise.key} ({exercise.title}): "
                         f"{points_text(exercise.points)}/{points_text(exercise.max_points)} points, "
                         f"{passed}/{len(checks)} checks passed")
        for check in checks:
            if check.status != "passed" and not result.error:
                detail = feedback(check, with_output=False).replace("\n", "\n        ")
                lines.append(f"    x {check.name} ({check.status}): {detail}")
    for problem in result.cell_problems:
        lines.append(f"  cell {problem.index + 1} raised {problem.error}")
    return "\n".join(lines) + "\n"


def summary_text(result: SubmissionResult) -> str:
    """A short plain-text summary: the total, one line per exercise, what to fix."""
    return _summary_lines(result, f"dlgrade {result.assignment}, student {result.student}: "
                                  f"{points_text(result.points)}/{points_text(result.max_points)} points",
                          public_only=False)


def public_summary_text(result: SubmissionResult) -> str:
    """:func:`summary_text` while hidden checks are hidden: public checks only, no total with hidden points."""
    public = [c for _, c in result.checks() if c.public]
    hidden = len(result.checks()) - len(public)
    return _summary_lines(result, f"dlgrade {result.assignment}, student {result.student}: public checks "
                                  f"{points_text(sum(c.points for c in public))}/"
                                  f"{points_text(sum(c.max_points for c in public))} points; "
                                  f"{hidden} hidden check(s), shown when the course makes them visible",
                          public_only=True)


def summary_markdown(result: SubmissionResult) -> str:
    """The summary as markdown for ``$GITHUB_STEP_SUMMARY``: a table and what to fix."""
    lines = [f"### dlgrade {markdown_cell(result.assignment)}: "
             f"{points_text(result.points)} / {points_text(result.max_points)} points", ""]
    if result.error:
        lines += [markdown_code(_not_graded_reason(result)), ""]
    if result.exercises:
        lines += ["| Exercise | Points | Checks passed |", "| --- | ---: | ---: |"]
        lines += [f"| {markdown_cell(e.key)}: {markdown_cell(e.title)} | {points_text(e.points)} / {points_text(e.max_points)} "
                  f"| {_passed_count(e)} / {len(e.checks)} |" for e in result.exercises]
        lines.append("")
    to_fix = [f"{check_label(e, c)} ({c.status}): {feedback(c, with_output=False)}"
              for e, c in result.checks() if c.status != "passed"]
    if to_fix and not result.error:
        lines += ["<details><summary>What to fix</summary>", "", markdown_code("\n\n".join(to_fix)), "",
                  "</details>", ""]
    return "\n".join(lines)
