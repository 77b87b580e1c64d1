"""Grading one submission: the student's cells run in the sandboxed worker, the checks run here.

The trust boundary (DESIGN.md): the checks, the reference and the expected
values stay in this, the grader's, process; the worker only ever receives
inputs and returns data. Every pass/fail is decided here.

For each check the fixtures are ``student`` (a :class:`WorkerStudent` proxy),
``ref`` (the model answer of the student's variant) and ``params`` (the variant).
Hidden checks report only their name and hint: never the student's printed
output or error text during them (either could carry the hidden inputs out).
"""
from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import autograder
from autograder.grading.call_limits import CallLimitPolicy, LazyCallLimits
from autograder.grading.results import CellProblem, CheckResult, ExerciseResult, SubmissionResult
from autograder.grading.submission import SubmissionError, notebook_sha256, read_submission
from exercises.dlcheck import PASSED, TIMEOUT, Outcome, StudentError, StudentTimeout, run_check
from exercises.model import Check, Exercise, reference_namespace, variant_params

OUTPUT_CAP = 4_000  # characters of printed output kept per check


class WorkerStudent:
    """``student`` in the grader: every call goes to the sandboxed worker and returns data."""

    def __init__(self, worker: Any, timed_out: set[str] | None = None) -> None:
        self._worker = worker
        self.printed: list[str] = []
        # Functions that already ran out of time in this submission are not run
        # again: an endless loop costs one timeout, not one per check.
        self._timed_out = set() if timed_out is None else timed_out

    @property
    def last_output(self) -> str:
        return self._worker.last_output

    def has(self, name: str) -> bool:
        return self._worker.has(name)

    def value(self, name: str) -> Any:
        value = self._worker.get(name)
        self.printed.append(self._worker.last_output)
        return value

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if name in self._timed_out:
                raise StudentTimeout(f"`{name}` was not run again: it ran out of time in an earlier check")
            try:
                return self._worker.call(name, *args, **kwargs)
            except StudentTimeout:
                self._timed_out.add(name)
                raise
            finally:
                self.printed.append(self._worker.last_output)

        return call


class ReferenceView:
    """``ref`` in the grader: attribute access to the model answer's namespace."""

    def __init__(self, namespace: Mapping[str, Any]) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._namespace:
            raise AttributeError(f"the model answer defines no {name!r}")
        return self._namespace[name]


def _cap(text: str, limit: int = OUTPUT_CAP) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n…[{len(text) - limit} more characters]"


def check_result(check: Check, outcome: Outcome, output: str, duration: float) -> CheckResult:
    """Turn an outcome into a result, keeping hidden checks' inputs and values out of it."""
    passed = outcome.status == PASSED
    if check.public:
        message, output_shown = outcome.message, _cap(output)
    else:
        message = "" if passed else {
            "failed": "This hidden check failed.",
            "error": "Your code raised an error or crashed in this hidden check.",
            TIMEOUT: "Your code ran out of time in this hidden check.",
        }[outcome.status]
        output_shown = ""
    hint = "" if passed else (outcome.hint or check.hint)
    return CheckResult(name=check.name, status=outcome.status,
                       points=check.points if passed else 0.0, max_points=check.points,
                       public=check.public, message=message, hint=hint, output=output_shown,
                       duration=round(duration, 4),
                       mistake=outcome.hint if outcome.status == "failed" else "")


def ungraded(exercises: Sequence[Exercise], status: str, message: str, hint: str) -> tuple[ExerciseResult, ...]:
    """Every check at zero with the same reason (the notebook could not be run)."""
    return tuple(ExerciseResult(e.key, e.title, tuple(
        CheckResult(name=c.name, status=status, points=0.0, max_points=c.points, public=c.public,
                    message=message, hint=hint) for c in e.checks)) for e in exercises)


def collect_figures(exercises: Sequence[Exercise], worker: Any, ref: ReferenceView,
                    params: Mapping[str, dict]) -> tuple[dict, ...]:
    """Plot data from the exercises that define ``figures`` (see :mod:`autograder.reports.figures`)."""
    figures: list[dict] = []
    for exercise in exercises:
        collect = getattr(exercise.module, "figures", None)
        if collect is None:
            continue
        try:
            figures.extend(collect(WorkerStudent(worker), ref, params[exercise.key]))
        except Exception:  # illustration only: a student's broken function just has no plot
            continue
    return tuple(figures)


def grade_code(cells: Sequence[str], *, exercises: Sequence[Exercise], params: Mapping[str, dict],
               limits: Any = None, sandbox: str = "auto",
               scaled_calls: CallLimitPolicy | None = CallLimitPolicy()) -> tuple[
                   tuple[ExerciseResult, ...], tuple[CellProblem, ...], str, str, tuple[dict, ...]]:
    """Run the student's cells in a worker and every check against them.

    Each exercise's calls get the limit ``scaled_calls`` derives from its model
    answer's cost, measured when a call first runs past the floor
    (:mod:`autograder.grading.call_limits`); ``None``: every call gets
    ``limits.call_timeout``. Returns (exercise results, cell problems, the
    cells' printed output, sandbox mode, figure data).
    """
    from autograder.sandbox.handle import CallDeadline, Limits, StudentWorker

    model_answer = reference_namespace([e.solution_cell(params[e.key]) for e in exercises])
    ref = ReferenceView(model_answer)
    scaled = LazyCallLimits(exercises, params, model_answer, scaled_calls) if scaled_calls is not None else None
    with StudentWorker(limits or Limits(), sandbox=sandbox) as worker:
        try:
            outcomes = worker.run_cells(list(cells))
        except StudentError as err:
            status = TIMEOUT if "time" in type(err).__name__.lower() else "error"
            reason = f"Your notebook's cells did not finish running ({type(err).__name__}: {err})."
            hint = ("Run the notebook top to bottom (Kernel → Restart & Run All): look for an endless "
                    "loop or a very slow cell outside your functions.")
            return ungraded(exercises, status, reason, hint), (), "", worker.sandbox_mode, ()
        problems = tuple(CellProblem(o.index, f"{o.error_type}: {o.error_message}")
                         for o in outcomes if not o.ok)
        printed = _cap("".join(o.output for o in outcomes))
        results, timed_out = [], set()
        for exercise in exercises:
            checks = []
            worker.call_timeout = None if scaled is None else \
                CallDeadline(scaled.policy.floor, functools.partial(scaled.limit, exercise.key))
            for check in exercise.checks:
                student = WorkerStudent(worker, timed_out)
                started = time.perf_counter()
                outcome = run_check(check.function, {"student": student, "ref": ref,
                                                     "params": params[exercise.key]})
                checks.append(check_result(check, outcome, "".join(student.printed),
                                           time.perf_counter() - started))
            results.append(ExerciseResult(exercise.key, exercise.title, tuple(checks)))
        worker.call_timeout = None
        figures = collect_figures(exercises, worker, ref, params)
        return tuple(results), problems, printed, worker.sandbox_mode, figures


def grade_notebook(notebook: Path, *, assignment: str, student: str, exercises: Sequence[Exercise],
                   secret: bytes, limits: Any = None, sandbox: str = "auto",
                   submitted_at: str | None = None,
                   scaled_calls: CallLimitPolicy | None = CallLimitPolicy()) -> SubmissionResult:
    """Grade one student's notebook for ``assignment`` on that student's variant.

    Calls are limited per exercise as ``scaled_calls`` says (see :func:`grade_code`).

    Never raises for a bad submission: an unreadable notebook gives a result
    with ``error`` set and every check at zero.
    """
    started = time.perf_counter()
    params = {e.key: variant_params(e, secret, student) for e in exercises}
    common = dict(student=student, assignment=assignment, submitted_at=submitted_at,
                  grader_version=autograder.__version__)
    try:
        code = read_submission(Path(notebook), assignment)
    except SubmissionError as err:
        sha = notebook_sha256(Path(notebook)) if Path(notebook).is_file() else ""
        return SubmissionResult(exercises=ungraded(exercises, "error", str(err), ""), error=str(err),
                                notebook_sha256=sha, duration=time.perf_counter() - started, **common)
    exercise_results, problems, printed, mode, figures = grade_code(
        code.cells, exercises=exercises, params=params, limits=limits, sandbox=sandbox, scaled_calls=scaled_calls)
    return SubmissionResult(exercises=exercise_results, cell_problems=problems, output=printed,
                            notebook_sha256=code.sha256, sandbox=mode, figures=figures,
                            edited_locked_cells=code.edited_locked_cells,
                            duration=round(time.perf_counter() - started, 4), **common)
