"""A hand-in can only fail itself: generated garbage from the worker and generated notebook JSON end as
that submission's result (a clear message, zero for what it affects), never as a grader failure."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.grading.engine import grade_code, grade_notebook
from autograder.grading.results import STATUSES, SubmissionResult, read_result, write_result
from autograder.sandbox import handle
from autograder.sandbox.protocol import ChannelClosed, ProtocolError
from exercises.model import load_exercise, variant_params
from tests.autograder.grading import zz_pair

EXERCISE = load_exercise(zz_pair)
SECRET = b"fuzz-secret"
PARAMS = {EXERCISE.key: variant_params(EXERCISE, SECRET, "mallory")}
ANY_TEXT = st.one_of(st.text(st.characters(exclude_categories=()), max_size=20),  # lone surrogates included
                    st.sampled_from(["\ud800", "x\udfff", "\x1b[31m", "\0", "[bold]", "=1+1"]))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                    ANY_TEXT)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                    max_leaves=20)
KEYS = ("value", "raised", "missing", "output", "cells", "ok", "error_type", "error_message", "traceback",
        "type", "message", "error", "$", "v", "dtype", "shape", "data")
# Replies look like the protocol's, with generated values in its fields (and tagged values as "value").
TAGGED = st.fixed_dictionaries({"$": st.sampled_from(["ndarray", "float", "complex", "dict", "tuple", "opaque",
                                                      "rng", "bytes", "set", "nonsense"])},
                               optional={"v": JSON, "dtype": JSON, "shape": JSON, "data": JSON})
REPLY = st.dictionaries(st.sampled_from(KEYS), st.one_of(JSON, TAGGED,
                                                         st.lists(st.dictionaries(st.sampled_from(KEYS), JSON,
                                                                                  max_size=6), max_size=2)),
                        max_size=5)
# ... and replies the grader accepts, carrying generated text and values where the student's go.
CELLS_REPLY = st.fixed_dictionaries({"cells": st.tuples(st.fixed_dictionaries({
    "ok": st.booleans(), "error_type": ANY_TEXT, "error_message": ANY_TEXT, "traceback": ANY_TEXT,
    "output": ANY_TEXT})).map(list), "output": ANY_TEXT})
WELL_FORMED = st.one_of(
    st.fixed_dictionaries({"value": st.one_of(SCALARS, TAGGED), "output": ANY_TEXT}),
    st.fixed_dictionaries({"raised": st.fixed_dictionaries({"type": ANY_TEXT, "message": ANY_TEXT,
                                                            "traceback": ANY_TEXT}), "output": ANY_TEXT}),
    st.fixed_dictionaries({"value": st.booleans(), "output": ANY_TEXT}),
    st.fixed_dictionaries({"missing": st.just(True), "output": ANY_TEXT}),
)
EVENT = st.one_of(WELL_FORMED, REPLY, st.sampled_from(["closed", "garbled", "timeout"]))
# One list of events per worker the grader starts (it restarts a worker that crashed); the first
# reply of each usually answers the cells so that the checks get to call the student's functions.
WORKERS = st.lists(st.tuples(st.one_of(CELLS_REPLY, EVENT), st.lists(EVENT, max_size=12))
                   .map(lambda t: [t[0], *t[1]]), min_size=1, max_size=4)


class FakeProcess:
    """Stands in for a worker process: each exchange answers with the next generated event."""

    def __init__(self, events: list[Any]) -> None:
        self.events = list(events)

    def exchange(self, message: dict, deadline: float, on_callback: Any = None) -> dict:
        event = self.events.pop(0) if self.events else "closed"
        if event == "closed":
            raise ChannelClosed("the worker exited (fuzz)")
        if event == "garbled":
            raise ProtocolError("frame is not valid JSON (fuzz)")
        if event == "timeout":
            raise TimeoutError("no reply before the deadline")
        return dict(event, id=message["id"])

    def alive(self) -> bool:
        return True

    def cpu_seconds(self) -> None:  # unknown: the limits are wall time
        return None

    def has_unsolicited_data(self) -> bool:
        return False

    def kill(self) -> None:
        pass


def _assert_result_of_the_submission(result: SubmissionResult, path: Path) -> None:
    """The result holds every check with a known status and a message when it scores 0, and round-trips."""
    checks = [c for _, c in result.checks()]
    assert len(checks) == len(EXERCISE.checks)
    assert all(c.status in STATUSES and (c.status == "passed" or c.points == 0) for c in checks)
    write_result(result, path)
    assert read_result(path) == result


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(workers=WORKERS)
def test_garbage_from_the_worker_ends_as_the_submissions_result(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path_factory: pytest.TempPathFactory,
                                                                workers: list[list[Any]]) -> None:
    """Whatever the worker answers (malformed replies, odd types, lone surrogates, crashes, timeouts
    at any moment), does grading return a result for this submission, one that can be stored?"""
    processes = iter([FakeProcess(events) for events in workers] + [FakeProcess(["closed"])] * 1000)
    monkeypatch.setattr(handle.StudentWorker, "_start_process", lambda self: next(processes))
    exercise_results, problems, printed, mode, figures = grade_code(
        ["def double(x):\n    return 2 * x\n"], exercises=[EXERCISE], params=PARAMS,
        limits=handle.Limits(call_timeout=0.5, cells_timeout=1.0, submission_budget=5.0), sandbox="none")
    result = SubmissionResult("mallory", "zz", exercise_results, cell_problems=problems, output=printed,
                              figures=figures)
    _assert_result_of_the_submission(result, tmp_path_factory.mktemp("fuzz") / "results.json")


NOTEBOOK_CELL = st.fixed_dictionaries({"cell_type": st.one_of(st.sampled_from(["code", "markdown", "raw"]), JSON),
                                       "source": st.one_of(st.text(max_size=30), JSON),
                                       "metadata": st.one_of(JSON, st.fixed_dictionaries(
                                           {"nbgrader": st.one_of(JSON, st.fixed_dictionaries(
                                               {"solution": JSON, "locked": JSON, "grade_id": JSON,
                                                "checksum": JSON}))}))},
                                      optional={"outputs": JSON, "execution_count": JSON, "id": JSON})
NOTEBOOK = st.fixed_dictionaries({"cells": st.one_of(st.lists(NOTEBOOK_CELL, max_size=4), JSON),
                                  "metadata": st.one_of(JSON, st.fixed_dictionaries(
                                      {"dlgrade": st.one_of(JSON, st.fixed_dictionaries({"assignment": JSON}))})),
                                  "nbformat": st.one_of(st.just(4), JSON), "nbformat_minor": st.one_of(st.just(5), JSON)})
RAW = st.one_of(NOTEBOOK.map(lambda nb: json.dumps(nb).encode()), st.binary(max_size=200),
                st.integers(1000, 200_000).map(lambda depth: b"[" * depth + b"]" * depth),
                st.integers(1000, 200_000).map(lambda depth: b'{"cells": ' + b"[" * depth + b"]" * depth + b"}"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=RAW)
def test_any_notebook_bytes_end_as_the_submissions_result(monkeypatch: pytest.MonkeyPatch, raw: bytes) -> None:
    """Whatever the notebook's bytes (not JSON, odd types where nbgrader metadata should be, nesting
    deep enough to exhaust the parser), does grading return a result with every check at 0 and a
    message, or grade it, instead of raising?"""
    def no_worker(cells, **kwargs):  # the notebook, not the worker, is under test here
        raise AssertionError("unreachable: a notebook this broken has no solution cell to run")
    monkeypatch.setattr("autograder.grading.engine.grade_code", no_worker)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mallory.ipynb"
        path.write_bytes(raw)
        try:
            result = grade_notebook(path, assignment="zz", student="mallory", exercises=[EXERCISE], secret=SECRET)
        except AssertionError as err:
            if "unreachable" in str(err):
                return  # it had solution cells: reading it worked, which is fine
            raise
        assert result.error and result.points == 0
        _assert_result_of_the_submission(result, Path(folder) / "results.json")


def test_hostile_hand_ins_fail_only_themselves_in_a_class(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Graded as a class, do a deep-JSON notebook, a notebook with odd metadata, a link to another
    file and a FIFO each end as their own result with an error and 0 points, while the correct
    notebook beside them gets every point and no submission counts as a grader failure?"""
    import os

    from autograder.grading.batch import Submission, grade_class
    from tests.autograder.grading.test_adversarial import DOUBLE, IMPORT, LIMITS, SQUARE, write_notebook

    hostile = {"deep": lambda p: p.write_bytes(b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
               "odd": lambda p: p.write_text('{"cells": [], "metadata": {"dlgrade": null}, "nbformat": 4, '
                                             '"nbformat_minor": null}'),
               "link": lambda p: p.symlink_to(write_notebook(tmp_path / "elsewhere.ipynb", [IMPORT, DOUBLE, SQUARE])),
               "fifo": lambda p: os.mkfifo(p)}
    monkeypatch.setattr("exercises.model.get_exercises", lambda keys, course=None: [EXERCISE for _ in keys])
    submissions = []
    for student, make in hostile.items():
        (tmp_path / student).mkdir()
        make(tmp_path / student / "zz.ipynb")
        submissions.append(Submission(student, tmp_path / student / "zz.ipynb"))
    (tmp_path / "good").mkdir()
    submissions.append(Submission("good", write_notebook(tmp_path / "good" / "zz.ipynb", [IMPORT, DOUBLE, SQUARE])))
    outcomes = grade_class(submissions, assignment="zz", exercise_keys=[EXERCISE.key], secret=SECRET,
                           out_root=tmp_path / "autograded", jobs=1, limits=LIMITS, sandbox="none")
    assert [(o.student, o.status) for o in outcomes] == [(s.student, "graded") for s in submissions]
    assert [o.points for o in outcomes] == [0, 0, 0, 0, 4]
    for outcome in outcomes[:-1]:
        assert read_result(outcome.results_path).error, outcome.student
