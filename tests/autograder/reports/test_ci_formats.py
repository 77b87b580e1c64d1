"""The CI formats of one hand-built result: shapes, sums, and nothing hidden leaking.

The sample submission, by hand: 7 checks in two exercises,

=====================  ======  ========  ======  =====
check                  public  status    points  max
=====================  ======  ========  ======  =====
a2.sigmoid values      yes     passed    2       2
a2.sigmoid derivative  yes     failed    0       1
a2.sigmoid batch       no      failed    0       2
a2.fit fit             yes     passed    3       3
a2.fit converges       no      passed    2       2
a2.fit loop            no      timeout   0       1
a2.fit crash           yes     error     0       1
=====================  ======  ========  ======  =====

so 7 of 12 points, 3 of 7 checks passed, 2 failures and 2 errors.
"""
from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET

import pytest

from autograder.reports.ci_formats import (GRADESCOPE_VISIBILITIES, github_classroom_output, github_classroom_result,
                                   gradescope_results, junit_xml, summary_markdown, summary_text)
from autograder.grading.results import CellProblem, CheckResult, ExerciseResult, SubmissionResult

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema validates the formats' schemas")

# Strings that a hidden check's message, printed output or mistake carry in this
# sample; the engine never puts such things there, but the formats must not
# show them even if it did.
HIDDEN_SECRETS = ("EXPECTED-0.7310585", "PRINTED-hidden-input-[0.25, 1.5]", "MISTAKE-hidden")


def sample_result() -> SubmissionResult:
    sigmoid = ExerciseResult("a2.sigmoid", "The sigmoid neuron", (
        CheckResult("test_values", "passed", 2.0, 2.0, True, duration=0.012),
        CheckResult("test_derivative", "failed", 0.0, 1.0, True,
                    message="sigmoid_derivative(0.5) returned 0.1875, expected 0.2350037",
                    hint="σ'(z) = s(1-s) with s = σ(z), not s(1-z)", output="debug z=0.5\n",
                    duration=0.02, mistake="σ'(z) = s(1-s) with s = σ(z), not s(1-z)"),
        CheckResult("test_batch", "failed", 0.0, 2.0, False,
                    message=f"expected {HIDDEN_SECRETS[0]}", hint="Does it work on a whole array at once?",
                    output=HIDDEN_SECRETS[1], duration=0.03, mistake=HIDDEN_SECRETS[2]),
    ))
    fit = ExerciseResult("a2.fit", "Fitting (0.5, 0.2) and (2.5, 0.9)", (
        CheckResult("test_fit", "passed", 3.0, 3.0, True, output="epoch 1 loss 0.3\x1b[0m\x00\n"),
        CheckResult("test_converges", "passed", 2.0, 2.0, False),
        CheckResult("test_loop", "timeout", 0.0, 1.0, False, message=HIDDEN_SECRETS[0],
                    hint="Does your loop stop after the given number of epochs?"),
        CheckResult("test_crash", "error", 0.0, 1.0, True,
                    message="ZeroDivisionError: division by zero", hint=""),
    ))
    return SubmissionResult(student="s042", assignment="a2", exercises=(sigmoid, fit),
                            cell_problems=(CellProblem(3, "NameError: name 'w' is not defined"),),
                            sandbox="bwrap", duration=1.25, grader_version="0.1.0")


def not_graded_result() -> SubmissionResult:
    return SubmissionResult(student="s042", assignment="a2", exercises=(),
                            error="no notebook at a2.ipynb: commit your a2 notebook")


NUMBER = {"type": "number"}
CLASSROOM_SCHEMA = {
    "type": "object",
    "required": ["version", "status", "max_score", "tests"],
    "properties": {
        "version": {"const": 1},
        "status": {"enum": ["pass", "fail", "error"]},
        "max_score": NUMBER,
        "tests": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "status", "message", "test_code", "filename", "line_no",
                         "execution_time", "score"],
            "properties": {"name": {"type": "string", "minLength": 1},
                           "status": {"enum": ["pass", "fail", "error"]},
                           "message": {"type": "string"}, "test_code": {"type": "string"},
                           "filename": {"type": "string"}, "line_no": {"type": "integer"},
                           "execution_time": NUMBER, "score": NUMBER}}},
    },
}
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["score", "execution_time", "output", "visibility", "stdout_visibility", "tests"],
    "properties": {
        "score": NUMBER, "execution_time": NUMBER, "output": {"type": "string"},
        "visibility": VISIBILITY, "stdout_visibility": VISIBILITY,
        "tests": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "score", "max_score", "status", "output", "visibility"],
            "properties": {"name": {"type": "string", "minLength": 1}, "score": NUMBER, "max_score": NUMBER,
                           "status": {"enum": ["passed", "failed"]}, "output": {"type": "string"},
                           "number": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
                           "visibility": VISIBILITY}}},
    },
}


def every_rendering(result: SubmissionResult) -> dict[str, str]:
    return {
        "classroom": base64.b64decode(github_classroom_output(result)).decode("utf-8"),
        "gradescope": json.dumps(gradescope_results(result), ensure_ascii=False),
        "junit": junit_xml(result),
        "text": summary_text(result),
        "markdown": summary_markdown(result),
    }


# --------------------------------------------------------------------------- GitHub Classroom

def test_classroom_result_matches_the_reporter_schema():
    """Does the classroom JSON have every field the grading reporter's runners write, with allowed values?"""
    jsonschema.validate(github_classroom_result(sample_result()), CLASSROOM_SCHEMA)


def test_classroom_output_decodes_to_points_7_of_12():
    """Does the base64 output decode to the classroom JSON whose sums the reporter shows as "Points 7/12"?"""
    encoded = github_classroom_output(sample_result())
    assert "\n" not in encoded and encoded.isascii()
    data = json.loads(base64.b64decode(encoded, validate=True))
    jsonschema.validate(data, CLASSROOM_SCHEMA)
    assert sum(t["score"] for t in data["tests"]) == 7
    assert data["max_score"] == 12
    assert [t["status"] for t in data["tests"]] == ["pass", "fail", "fail", "pass", "pass", "error", "error"]
    assert data["status"] == "fail"
    assert data["tests"][1]["name"] == "a2.sigmoid::test_derivative"
    assert "0.2350037" in data["tests"][1]["message"]


def test_classroom_status_is_pass_when_every_check_passes():
    """Is the top-level status "pass" when every check passed, so the reporter does not fail the job?"""
    result = SubmissionResult("s1", "a2", (ExerciseResult("a2.x", "X", (
        CheckResult("test_a", "passed", 1.0, 1.0, True), CheckResult("test_b", "passed", 2.0, 2.0, False))),))
    data = github_classroom_result(result)
    assert data["status"] == "pass" and data["max_score"] == 3 and [t["message"] for t in data["tests"]] == ["", ""]


def test_classroom_not_graded_is_an_error_with_the_reason():
    """Does a result that could not be graded give status "error", score 0 and the reason in a test's message?"""
    data = github_classroom_result(not_graded_result())
    jsonschema.validate(data, CLASSROOM_SCHEMA)
    assert data["status"] == "error"
    assert [t["score"] for t in data["tests"]] == [0]
    assert "no notebook at a2.ipynb" in data["tests"][0]["message"]


# --------------------------------------------------------------------------- Gradescope

def test_gradescope_results_match_the_specification():
    """Do the Gradescope results have the spec's fields, statuses and visibilities, and score 7 of 12?"""
    data = gradescope_results(sample_result())
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert data["score"] == 7
    assert sum(t["max_score"] for t in data["tests"]) == 12
    assert [t["status"] for t in data["tests"]] == ["passed", "failed", "failed", "passed", "passed",
                                                     "failed", "failed"]
    assert [t["number"] for t in data["tests"]] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4"]
    assert data["execution_time"] == 0.032  # the public checks' 0.012 + 0.02 s: never the hidden phase's time
    assert (data["output_format"], data["test_output_format"], data["test_name_format"]) == ("text",) * 3


@pytest.mark.parametrize("visibility", [v for v in GRADESCOPE_VISIBILITIES if v != "visible"])
def test_gradescope_output_speaks_only_of_public_checks_while_hidden_ones_are_hidden(visibility):
    """While hidden checks are not visible, does the visible output give the public checks' points
    (5 of 7) and no total that includes hidden ones (7 of 12), nor any hidden check's name?"""
    output = gradescope_results(sample_result(), hidden_visibility=visibility)["output"]
    assert "public checks 5/7 points" in output and "3 hidden check(s)" in output
    assert "7/12" not in output
    for name in ("test_batch", "test_converges", "test_loop"):
        assert name not in output


def test_gradescope_output_gives_the_whole_total_once_hidden_checks_are_visible():
    """With hidden checks visible, is the output the whole summary (7 of 12 points)?"""
    assert "7/12 points" in gradescope_results(sample_result(), hidden_visibility="visible")["output"]


def test_junit_times_leave_out_the_hidden_phase():
    """Is the JUnit suite's time the public checks' time, not the submission's (which includes the hidden phase)?"""
    root = ET.fromstring(junit_xml(sample_result()).split("\n", 1)[1])
    assert root.find("testsuite").get("time") == "0.032"


@pytest.mark.parametrize("visibility", GRADESCOPE_VISIBILITIES)
def test_gradescope_hidden_checks_take_the_chosen_visibility(visibility):
    """Do hidden checks get the chosen visibility while public checks stay visible?"""
    tests = gradescope_results(sample_result(), hidden_visibility=visibility)["tests"]
    hidden = {t["name"] for t in tests if "hidden" in t["tags"]}
    assert hidden == {"a2.sigmoid::test_batch", "a2.fit::test_converges", "a2.fit::test_loop"}
    assert {t["visibility"] for t in tests if t["name"] in hidden} == {visibility}
    assert {t["visibility"] for t in tests if t["name"] not in hidden} == {"visible"}


def test_gradescope_default_hides_hidden_checks_until_the_due_date():
    """Are hidden checks "after_due_date" unless told otherwise?"""
    tests = gradescope_results(sample_result())["tests"]
    assert tests[2]["visibility"] == "after_due_date"


def test_gradescope_rejects_an_unknown_visibility():
    """Is a visibility Gradescope does not know refused with the allowed values named?"""
    with pytest.raises(ValueError, match="after_published"):
        gradescope_results(sample_result(), hidden_visibility="later")


def test_gradescope_not_graded_scores_zero_and_says_why():
    """Does a result that could not be graded give score 0 and an output with the reason?"""
    data = gradescope_results(not_graded_result())
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert data["score"] == 0 and data["tests"] == []
    assert "no notebook at a2.ipynb" in data["output"]


def test_gradescope_public_output_shows_message_hint_and_printing():
    """Does a failing public check show its message, its hint and what the student's code printed?"""
    output = gradescope_results(sample_result())["tests"][1]["output"]
    assert "expected 0.2350037" in output and "Hint: σ'(z)" in output and "debug z=0.5" in output


# --------------------------------------------------------------------------- JUnit

def test_junit_parses_back_with_the_result_counts():
    """Does the JUnit XML parse back with 7 test cases, 2 failures, 2 errors and classname = exercise key?"""
    root = ET.fromstring(junit_xml(sample_result()).encode("utf-8"))
    suite = root.find("testsuite")
    assert root.tag == "testsuites" and suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == \
        ("7", "2", "2", "0")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases][:2] == \
        [("a2.sigmoid", "test_values"), ("a2.sigmoid", "test_derivative")]
    assert [c.get("classname") for c in cases].count("a2.fit") == 4
    assert sum(c.find("failure") is not None for c in cases) == 2
    assert sum(c.find("error") is not None for c in cases) == 2
    assert cases[5].find("error").get("type") == "timeout"
    assert "0.2350037" in cases[1].find("failure").get("message")
    properties = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert (properties["points"], properties["max_points"]) == ("7", "12")


def test_junit_survives_control_characters_in_student_output():
    """Does student output with ANSI escapes and a NUL still give well-formed XML?"""
    root = ET.fromstring(junit_xml(sample_result()).encode("utf-8"))
    fit = root.find("testsuite").findall("testcase")[3]
    assert fit.find("system-out").text.startswith("epoch 1 loss 0.3")


def test_junit_hidden_failure_says_only_status_and_hint():
    """Does a hidden failure in JUnit say only the fixed status sentence and its hint?"""
    root = ET.fromstring(junit_xml(sample_result()).encode("utf-8"))
    batch = root.find("testsuite").findall("testcase")[2]
    assert batch.find("failure").text == "This hidden check failed.\nHint: Does it work on a whole array at once?"
    assert batch.find("system-out") is None


def test_junit_not_graded_is_one_errored_case():
    """Does a result that could not be graded give one errored test case with the reason?"""
    suite = ET.fromstring(junit_xml(not_graded_result()).encode("utf-8")).find("testsuite")
    assert (suite.get("tests"), suite.get("errors")) == ("1", "1")
    assert "no notebook at a2.ipynb" in suite.find("testcase/error").get("message")


# --------------------------------------------------------------------------- summaries and the hidden rule

def test_summary_text_gives_total_exercises_and_fixes():
    """Does the text summary give 7/12, each exercise's points and each failing check with its hint?"""
    text = summary_text(sample_result())
    assert text.splitlines()[0] == "dlgrade a2, student s042: 7/12 points"
    assert "a2.sigmoid (The sigmoid neuron): 2/5 points, 1/3 checks passed" in text
    assert "a2.fit (Fitting (0.5, 0.2) and (2.5, 0.9)): 5/7 points, 2/4 checks passed" in text
    assert "x test_loop (timeout): Your code ran out of time" in text
    assert "cell 4 raised NameError" in text


def test_summary_markdown_has_a_table_and_inert_student_text():
    """Does the markdown summary have one table row per exercise and keep backticks of student text fenced?"""
    result = SubmissionResult("s1", "a2", (ExerciseResult("a2.x", "X | Y", (
        CheckResult("test_a", "failed", 0.0, 1.0, True, message="returned ```<script>``` instead"),)),))
    markdown = summary_markdown(result)
    assert "| a2.x: X \\| Y | 0 / 1 | 0 / 1 |" in markdown
    assert "````text\n" in markdown  # a fence longer than the student's ``` run


@pytest.mark.parametrize("fmt", ["classroom", "gradescope", "junit", "text", "markdown"])
def test_hidden_checks_leak_nothing(fmt):
    """Does no format show a hidden check's message, printed output or recognised mistake?"""
    rendered = every_rendering(sample_result())[fmt]
    for secret in HIDDEN_SECRETS:
        assert secret not in rendered
    assert "Does it work on a whole array at once?" in rendered  # the hint is all it shows
