"""Grading one submission: the student's cells run in the sandboxed worker, the checks run here.

The trust boundary (DESIGN.md): the checks, the reference and the expected
values stay in this, the grader's, process; the worker only ever receives
inputs and returns data. Every pass/fail is decided here.

For each check the fixtures are ``student`` (a :class:`WorkerStudent` proxy),
``ref`` (the model answer of the student's variant) and ``params`` (the variant).
Hidden checks report only their name and hint: never the student's printed
output or error text during them (either could carry the hidden inputs out).

Points never depend on what the student's process can forge (trust invariant 4).
The worker is entirely the student's: its printed output, its warnings
machinery, anything it says about itself. A check decides only on values the
student's functions return; :class:`WorkerStudent`, the one object a check
holds, offers calls and values and nothing else (no printed output: that is
kept aside for the feedback page). A property only visible inside the worker,
such as "numpy printed no overflow warning", is judged by choosing inputs where
the unstable formula returns a wrong value, nan or inf, or not at all.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import autograder
from autograder.grading.call_limits import CallLimitPolicy, LazyCallLimits
from autograder.grading.results import PENDING, WRITTEN_CHECK, CellProblem, CheckResult, ExerciseResult, SubmissionResult
from autograder.grading.submission import SubmissionError, notebook_sha256, read_submission
from exercises.dlcheck import PASSED, TIMEOUT, Outcome, StudentError, StudentTimeout, run_check
from exercises.model import Check, Exercise, reference_namespace, variant_params
from exercises.written import ANSWER_STUB, answer_grade_id

OUTPUT_CAP = 4_000  # characters of printed output kept per check


class WorkerStudent:
    """``student`` in the grader: every call goes to the sandboxed worker and returns data.

    It offers calls (``student.sigmoid(z)``), ``has`` and ``value`` only: what the
    student's process printed goes to ``on_output`` (the feedback page), never to
    the check, so no check can award or take a point for it.
    """

    def __init__(self, worker: Any, timed_out: set[str] | None = None,
                 on_output: Callable[[str], None] | None = None) -> None:
        self._worker = worker
        self._on_output = on_output or (lambda text: None)
        # Functions that already ran out of time in this submission are not run
        # again: an endless loop costs one timeout, not one per check.
        self._timed_out = set() if timed_out is None else timed_out

    def has(self, name: str) -> bool:
        return self._worker.has(name)

    def value(self, name: str) -> Any:
        value = self._worker.get(name)
        self._on_output(self._worker.last_output)
        return value

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in ("last_output", "printed", "output"):
            raise AttributeError(f"student.{name}: a check cannot read what the student's process printed "
                                 "(the student controls it); judge the values the functions return")

        def call(*args: Any, **kwargs: Any) -> Any:
            if name in self._timed_out:
                raise StudentTimeout(f"`{name}` was not run again: it ran out of time in an earlier check")
            try:
                return self._worker.call(name, *args, **kwargs)
            except StudentTimeout:
                self._timed_out.add(name)
                raise
            finally:
                self._on_output(self._worker.last_output)

        return call


class ReferenceView:
    """``ref`` in the grader: attribute access to the model answer's namespace."""

    def __init__(self, namespace: Mapping[str, Any]) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._namespace:
            raise AttributeError(f"the model answer defines no {name!r}")
        return self._namespace[name]

    def defines(self, name: str) -> bool:
        return not name.startswith("_") and name in self._namespace


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
    # A hidden check that ended in an error shows no error message, so the generic "read the error
    # message" hint would point at nothing: it says what the check tested instead (an unwritten stub
    # keeps its "replace raise NotImplementedError" hint).
    hidden_error = not check.public and outcome.status == "error" and getattr(outcome, "attempted", True)
    hint = "" if passed else ((check.hint or outcome.hint) if hidden_error else (outcome.hint or check.hint))
    return CheckResult(name=check.name, status=outcome.status,
                       points=check.points if passed else 0.0, max_points=check.points,
                       public=check.public, message=message, hint=hint, output=output_shown,
                       duration=round(duration, 4) if check.public else 0.0,  # a hidden check's time is a channel
                       mistake=outcome.mistake if outcome.status == "failed" else "",
                       attempted=getattr(outcome, "attempted", True), choices=getattr(outcome, "choices", ()))


def ungraded(exercises: Sequence[Exercise], status: str, message: str, hint: str) -> tuple[ExerciseResult, ...]:
    """Every check at zero with the same reason (the notebook could not be run or read); a written
    answer's one check too (nothing was read to grade)."""
    return tuple(ExerciseResult(e.key, e.title, tuple(
        CheckResult(name=c.name, status=status, points=0.0, max_points=c.points, public=c.public,
                    message=message, hint=hint) for c in e.checks) or (
        (CheckResult(name=WRITTEN_CHECK, status=status, points=0.0, max_points=e.manual_points, public=True,
                     message=message, hint=hint),) if e.written else ())) for e in exercises)


def written_check(exercise: Exercise, answer: str) -> CheckResult:
    """A written answer's one check: pending ("needs grading", the student's text kept for graders as
    ``output``) when something was written, else failed and not attempted (0, as nbgrader gives an
    unchanged answer cell)."""
    if answer:
        return CheckResult(name=WRITTEN_CHECK, status=PENDING, points=0.0, max_points=exercise.manual_points,
                           public=True, message="Needs grading: a grader scores this answer by hand.",
                           output=answer)
    return CheckResult(name=WRITTEN_CHECK, status="failed", points=0.0, max_points=exercise.manual_points,
                       public=True, message="No answer written.",
                       hint=f"Write your answer in the cell that says {ANSWER_STUB}.", attempted=False)


def with_written_answers(results: Sequence[ExerciseResult], exercises: Sequence[Exercise],
                         answers: Mapping[str, str]) -> tuple[ExerciseResult, ...]:
    """``results`` with each written answer's check made from what the student wrote (``answers`` by
    grade_id, see :attr:`autograder.grading.submission.StudentCode.answers`); whether the code ran has
    no bearing on a written answer."""
    written = {e.key: e for e in exercises if e.written}
    return tuple(dataclasses.replace(r, checks=(written_check(written[r.key],
                                                              answers.get(answer_grade_id(r.key), "")),))
                 if r.key in written else r for r in results)


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


def _run_checks(worker: Any, checks: Sequence[tuple[Exercise, Check]], ref: ReferenceView,
                params: Mapping[str, dict], timed_out: set[str],
                scaled: LazyCallLimits | None) -> dict[tuple[str, str], CheckResult]:
    """Run ``checks`` against the student's code in ``worker``; results by (exercise key, check name).

    Each check's calls get its exercise's scaled limit (``scaled``; None: ``limits.call_timeout``)."""
    from autograder.sandbox.handle import CallDeadline

    results = {}
    for exercise, check in checks:
        worker.call_timeout = None if scaled is None else \
            CallDeadline(scaled.policy.floor, functools.partial(scaled.limit, exercise.key))
        printed_by_check: list[str] = []
        student = WorkerStudent(worker, timed_out, printed_by_check.append)
        started = time.perf_counter()
        outcome = run_check(check.function, {"student": student, "ref": ref, "params": params[exercise.key]})
        results[exercise.key, check.name] = check_result(check, outcome, "".join(printed_by_check),
                                                         time.perf_counter() - started)
    worker.call_timeout = None
    return results


def _hidden_phase(worker: Any, checks: Sequence[tuple[Exercise, Check]], ref: ReferenceView,
                  params: Mapping[str, dict], timed_out: set[str],
                  scaled: LazyCallLimits | None) -> dict[tuple[str, str], CheckResult]:
    """Hidden checks in ``worker``, the public phase's, once every public result and figure is final.

    Trust invariant 5 asks that hidden inputs reach the student's code only after
    every public result is final, and only in a worker whose output nobody sees.
    Both hold here without a second worker: the student's output is a stream in
    time, and nothing ``worker`` says or does from now on is shown — no public
    check or figure runs after this (the callers' order), ``check_result`` keeps
    only a hidden check's status, points and grader-chosen hint, and the worker
    ends with the submission (its directory and processes go, invariant 8). A
    fresh worker would add nothing a student can use: it would differ only by
    not having seen the public inputs, which the student's notebook holds anyway.
    The phase gets the whole submission budget again, as the fresh worker it
    replaces did.
    """
    if not checks:
        return {}
    worker.renew_budget()
    return _run_checks(worker, checks, ref, params, timed_out, scaled)


@contextlib.contextmanager
def _fresh_worker(cells: Sequence[str], limits: Any, sandbox: str,
                  follow_through: bool = False) -> Iterator[tuple[Any, StudentError | None]]:
    """A new worker that has run the student's cells again: ``(worker, None)``, or ``(None, why)``
    when the cells did not finish this time."""
    from autograder.sandbox.handle import StudentWorker

    with StudentWorker(limits, sandbox=sandbox, follow_through=follow_through) as worker:
        try:
            worker.run_cells(list(cells))
        except StudentError as err:
            yield None, err
            return
        yield worker, None


def owned_functions(exercises: Sequence[Exercise]) -> dict[str, str]:
    """Function name -> key of the exercise whose model answer defines it (its ``SOLUTION``)."""
    owners: dict[str, str] = {}
    for exercise in exercises:
        for function in getattr(exercise.module, "SOLUTION", ()) or ():
            if callable(function):
                owners.setdefault(function.__name__, exercise.key)
    return owners


FOLLOW_THROUGH_NOTE = "checked with the model {names} because yours did not pass its checks"


def _follow_through(cells: Sequence[str], exercises: Sequence[Exercise], results: dict[tuple[str, str], CheckResult],
                    ref: ReferenceView, params: Mapping[str, dict], timed_out: set[str], limits: Any,
                    sandbox: str, scaled: LazyCallLimits | None) -> dict[tuple[str, str], CheckResult]:
    """Follow-through marking: a mistake is charged once.

    Where exercise B's failed checks may have failed because B calls a function
    owned by an exercise A that did not pass all its checks, B's failed checks
    run again with A's function replaced by the model answer's (a call-back to
    this process, :meth:`StudentWorker.rebind`), in one worker started for this
    alone (public checks first, then hidden ones, as in the two phases of
    :func:`grade_code`: nothing of this worker but the re-runs' results is shown,
    and a hidden re-run's only its status, points and hint). A check whose
    re-run called a replaced function takes the re-run's result, with a note
    naming what was replaced; B's own functions are never replaced while B's
    checks run. Started only when some check is re-run.
    """
    owners = owned_functions(exercises)
    order = {e.key: n for n, e in enumerate(exercises)}
    failing = {e.key for e in exercises if any(results[e.key, c.name].status != PASSED for c in e.checks)}
    # Only functions of *earlier* exercises are replaced (later ones reuse earlier ones): an earlier
    # exercise must not pass by calling the model answer of a later one the student failed on purpose.
    replaced = {e.key: {name: getattr(ref, name) for name, owner in owners.items()
                        if owner in failing and order[owner] < order[e.key] and ref.defines(name)}
                for e in exercises}
    reruns = [(e, c) for e in exercises for c in e.checks
              if replaced[e.key] and results[e.key, c.name].status != PASSED]
    updated: dict[tuple[str, str], CheckResult] = {}
    if not reruns:
        return updated
    reruns = [(e, c) for e, c in reruns if c.public] + [(e, c) for e, c in reruns if not c.public]
    with _fresh_worker(cells, limits, sandbox, follow_through=True) as (worker, _failure):
        if worker is None:
            return updated  # the cells did not run again: the first results stand
        bound_for, public = None, True
        for exercise, check in reruns:
            if public and not check.public:  # the hidden re-runs: the budget again, as a fresh worker had
                worker.renew_budget()
                public = False
            if bound_for != exercise.key:  # one rebind per run of an exercise's checks, not per check
                worker.rebind(replaced[exercise.key])
                bound_for = exercise.key
            worker.called_back.clear()
            rerun = _run_checks(worker, [(exercise, check)], ref, params, timed_out, scaled)
            if worker.called_back:
                names = ", ".join(f"`{n}`" for n in sorted(worker.called_back))
                result = rerun[exercise.key, check.name]
                updated[exercise.key, check.name] = dataclasses.replace(
                    result, note=FOLLOW_THROUGH_NOTE.format(names=names))
    return updated


def grade_code(cells: Sequence[str], *, exercises: Sequence[Exercise], params: Mapping[str, dict],
               limits: Any = None, sandbox: str = "auto",
               scaled_calls: CallLimitPolicy | None = CallLimitPolicy(),
               follow_through: bool = True) -> tuple[
                   tuple[ExerciseResult, ...], tuple[CellProblem, ...], str, str, tuple[dict, ...]]:
    """Run the student's cells in a worker and every check against them.

    Two phases in one worker (trust invariant 5: hidden inputs never reach student
    code before every public result is final, and never while a student can see
    what that code does): the public checks of every exercise and the figures run
    first; then the hidden checks, after which nothing of the worker is shown
    (see :func:`_hidden_phase`). A function that ran out of time in the first
    phase is not run again. Then,
    unless ``follow_through`` is False, a mistake is charged once
    (:func:`_follow_through`).

    Each exercise's calls get the limit ``scaled_calls`` derives from its model
    answer's cost, measured when a call first runs past the floor
    (:mod:`autograder.grading.call_limits`); ``None``: every call gets
    ``limits.call_timeout``. Returns (exercise results, cell problems, the
    cells' printed output, sandbox mode, figure data).
    """
    from autograder.sandbox.handle import Limits, StudentWorker

    limits = limits or Limits()
    model_answer = reference_namespace([e.solution_cell(params[e.key]) for e in exercises])
    ref = ReferenceView(model_answer)
    scaled = LazyCallLimits(exercises, params, model_answer, scaled_calls) if scaled_calls is not None else None
    every_check = [(e, c) for e in exercises for c in e.checks]
    timed_out: set[str] = set()
    with StudentWorker(limits, sandbox=sandbox) as worker:
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
        results = _run_checks(worker, [(e, c) for e, c in every_check if c.public], ref, params, timed_out,
                              scaled)
        figures = collect_figures(exercises, worker, ref, params)
        mode = worker.sandbox_mode
        # Every public result and figure is final: nothing this worker does from here on is shown.
        results.update(_hidden_phase(worker, [(e, c) for e, c in every_check if not c.public], ref, params,
                                     timed_out, scaled))
    if follow_through:
        results.update(_follow_through(cells, exercises, results, ref, params, timed_out, limits, mode, scaled))
    exercise_results = tuple(ExerciseResult(e.key, e.title, tuple(results[e.key, c.name] for c in e.checks))
                             for e in exercises)
    return exercise_results, problems, printed, mode, figures


def grade_notebook(notebook: Path, *, assignment: str, student: str, exercises: Sequence[Exercise],
                   secret: bytes, limits: Any = None, sandbox: str = "auto",
                   submitted_at: str | None = None,
                   scaled_calls: CallLimitPolicy | None = CallLimitPolicy(),
                   follow_through: bool = True) -> SubmissionResult:
    """Grade one student's notebook for ``assignment`` on that student's variant.

    Calls are limited per exercise as ``scaled_calls`` says (see :func:`grade_code`).

    Never raises for a bad submission: an unreadable notebook (whatever reading
    it raised) gives a result with ``error`` set and every check at zero.
    """
    started = time.perf_counter()
    params = {e.key: variant_params(e, secret, student) for e in exercises}
    common = dict(student=student, assignment=assignment, submitted_at=submitted_at,
                  grader_version=autograder.__version__)
    try:
        code = read_submission(Path(notebook), assignment)
    except Exception as err:
        # Reading is a function of the hand-in's bytes alone, so whatever it raises (odd types where
        # nbgrader metadata belongs, JSON nested past the parser's recursion limit) is this
        # submission's result, never a failure of the run (trust invariant 3).
        reason = str(err) if isinstance(err, SubmissionError) else (
            f"{Path(notebook).name} could not be read as a notebook ({type(err).__name__}: "
            f"{str(err)[:200]}); open it in Jupyter, save it, and hand it in again")
        sha = notebook_sha256(Path(notebook)) if Path(notebook).is_file() else ""
        return not_graded(reason, exercises=exercises, assignment=assignment, student=student,
                          submitted_at=submitted_at, notebook_sha256=sha, notebook_file=Path(notebook).name,
                          duration=time.perf_counter() - started)
    exercise_results, problems, printed, mode, figures = grade_code(
        code.cells, exercises=exercises, params=params, limits=limits, sandbox=sandbox,
        scaled_calls=scaled_calls, follow_through=follow_through)
    exercise_results = with_written_answers(exercise_results, exercises, code.answers)
    return SubmissionResult(exercises=exercise_results, cell_problems=problems, output=printed,
                            notebook_sha256=code.sha256, notebook_file=Path(notebook).name, sandbox=mode,
                            figures=figures, edited_locked_cells=code.edited_locked_cells, released_for=code.released_for,
                            duration=round(time.perf_counter() - started, 4), **common)


def not_graded(reason: str, *, exercises: Sequence[Exercise], assignment: str, student: str,
               submitted_at: str | None = None, notebook_sha256: str = "", notebook_file: str = "",
               duration: float = 0.0) -> SubmissionResult:
    """The result of a hand-in that could not be graded: ``error`` is ``reason``, every check at zero."""
    return SubmissionResult(student=student, assignment=assignment, submitted_at=submitted_at,
                            grader_version=autograder.__version__,
                            exercises=ungraded(exercises, "error", reason, ""), error=reason,
                            notebook_sha256=notebook_sha256, notebook_file=notebook_file, duration=duration)
