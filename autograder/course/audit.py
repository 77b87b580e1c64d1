"""``grade audit``: how well an assignment's checks catch mistakes (mutation analysis).

For each exercise, every mutant of every model-answer function
(:mod:`autograder.course.mutants`) is graded by the real engine
(:func:`autograder.grading.engine.grade_code`, sandboxed worker and all) on the
notebook of model answers with that one function replaced, for ``variants``
students ``audit-000``, ``audit-001``, ... of the course secret.

A mutant is

* **equivalent** when, on every variant, the mutant returns what the model
  answer returns for every call the exercise's checks make. This is decided in
  this (the grader's) process, never in a worker: the checks run against the
  mutant and the model answer side by side, instructor code on both sides.
  Equivalent mutants are not graded and count neither way;
* **killed** when it loses at least one point on at least one variant;
* a **survivor** otherwise: a mistake the checks let through.

It may also have **crashed** (a check ended in an error) or **timed out**.
The feedback **names** it when one of its failing checks carries a named
mistake of the exercise's catalogue (:mod:`autograder.course.catalogue`), not
only the check's own hint; when none does but the mutant raised, a public
check's message **locates** it if it names the line the mutation changed
(:func:`exercises.dlcheck.raised_at`: the student sees which of their lines
raised). The report counts the two apart. The **fairness spread** is the difference between
the most and the fewest points a mutant loses over the variants: the same
mistake should cost the same on every variant.
"""
from __future__ import annotations

import ast
import copy
import json
import multiprocessing
import signal
import threading
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from autograder.course.catalogue import catalogue_of
from autograder.course.mutants import Mutant, apply, mutants_of, operator_named
from exercises.model import Exercise, reference_namespace, strip_markers, variant_params

STUDENT_PREFIX = "audit-"
PREAMBLE = "import numpy as np\nimport math\n"
"""The notebook's imports, before the model answers (the released notebook's first cell has them)."""
EQUIVALENCE_SECONDS = 20
"""Time for one variant's side-by-side run of the checks; past it the mutant is graded, not called equivalent."""
RAISED = "Your code raised "
"""How a check's message begins when the student's code raised (:func:`exercises.dlcheck.run_check`)."""
SAME_RTOL, SAME_ATOL = 1e-12, 1e-15
"""How close a mutant's value must be to the model answer's to be the same value (rounding only)."""


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class MutantAudit:
    """What the checks made of one mutant."""

    id: str
    """``function:operator:site``."""
    function: str
    operator: str
    description: str
    """The mistake the operator makes, in words."""
    diff: str
    """Unified diff from the model answer to the mutant."""
    status: str
    """``killed``, ``survived`` or ``equivalent``."""
    points_lost: tuple[float, ...] = ()
    """Points lost on each variant (empty for an equivalent mutant)."""
    crashed: bool = False
    """A check ended in an error (the mutant raised) on some variant."""
    timed_out: bool = False
    """A check ran out of time on some variant."""
    named: bool = False
    """A failing check named a catalogued mistake or a generic diagnosis (not only its own hint)."""
    exception_shown: bool = False
    """A public check ended in the exception the mutant raised, shown to the student with its type and
    message ("Your code raised ValueError: ..."): the feedback says what happened, though no hint does."""
    located: bool = False
    """A public check ended in the exception the mutant raised, and its message names the line the
    mutation changed, with its source ("at line 3 of its cell, in `f`: `...`"): the feedback points at
    the mistake's line, though no hint names the mistake."""
    mistakes: tuple[str, ...] = ()
    """The hints of its failing checks, over all variants."""
    failing_checks: tuple[str, ...] = ()

    @property
    def spread(self) -> float:
        """Most minus fewest points lost over the variants."""
        return max(self.points_lost) - min(self.points_lost) if self.points_lost else 0.0


@dataclass(frozen=True)
class ExerciseAudit:
    """One exercise: its mutants and what could not be audited."""

    key: str
    title: str
    max_points: float
    mutants: tuple[MutantAudit, ...]
    catalogue: tuple[str, ...] = ()
    """The named mistakes its checks can report."""
    catalogue_unmatched: tuple[str, ...] = ()
    """Catalogued mistakes no mutant made the checks report (not produced by any operator)."""
    notes: tuple[str, ...] = ()
    """Why (part of) it was not audited, e.g. numeric answers with no function to mutate."""

    def count(self, status: str) -> int:
        return sum(m.status == status for m in self.mutants)

    @property
    def kill_rate(self) -> float | None:
        """Killed / (killed + survived); None when there is nothing to kill."""
        judged = self.count("killed") + self.count("survived")
        return self.count("killed") / judged if judged else None

    @property
    def spread(self) -> float:
        """The largest fairness spread of its killed mutants."""
        return max((m.spread for m in self.mutants if m.status == "killed"), default=0.0)

    @property
    def lost_range(self) -> tuple[float, float] | None:
        """Fewest and most points a killed mutant lost on any variant."""
        lost = [p for m in self.mutants if m.status == "killed" for p in m.points_lost]
        return (min(lost), max(lost)) if lost else None


@dataclass(frozen=True)
class AuditReport:
    """An assignment's audit."""

    assignment: str
    variants: int
    exercises: tuple[ExerciseAudit, ...]
    students: tuple[str, ...] = field(default=())
    """The variant ids (``audit-000`` ...)."""

    @property
    def kill_rate(self) -> float | None:
        killed = sum(e.count("killed") for e in self.exercises)
        judged = killed + sum(e.count("survived") for e in self.exercises)
        return killed / judged if judged else None

    def to_json(self) -> dict[str, Any]:
        """Plain data: every field, plus the derived rates, counts and spreads."""
        def exercise(e: ExerciseAudit) -> dict[str, Any]:
            data = asdict(e)
            data["mutants"] = [dict(asdict(m), spread=m.spread) for m in e.mutants]
            data.update(kill_rate=e.kill_rate, spread=e.spread, lost_range=e.lost_range,
                        **{s: e.count(s) for s in ("killed", "survived", "equivalent")},
                        crashed=sum(m.crashed for m in e.mutants), timed_out=sum(m.timed_out for m in e.mutants))
            return data
        return {"assignment": self.assignment, "variants": self.variants, "students": list(self.students),
                "kill_rate": self.kill_rate, "exercises": [exercise(e) for e in self.exercises]}


# --------------------------------------------------------------------------
# The mutated notebooks
# --------------------------------------------------------------------------
def model_cells(exercises: Sequence[Exercise], params: Mapping[str, dict]) -> list[str]:
    """The notebook answered with the model answers: the imports, then each exercise's solution cell."""
    return [PREAMBLE] + [strip_markers(e.solution_cell(params[e.key])) for e in exercises]


def functions_of(cell: str) -> dict[str, str]:
    """The top-level functions a model-answer cell defines, name -> source (``ast.unparse`` text)."""
    return {node.name: ast.unparse(node) for node in ast.parse(cell).body if isinstance(node, ast.FunctionDef)}


def replaced(cell: str, function: str, source: str) -> str:
    """``cell`` with its top-level function ``function`` replaced by ``source``."""
    tree = ast.parse(cell)
    new = ast.parse(source).body[0]
    tree.body = [new if isinstance(node, ast.FunctionDef) and node.name == function else node
                 for node in tree.body]
    return ast.unparse(tree)


def mutant_cells(cells: Sequence[str], index: int, mutant: Mutant) -> list[str] | None:
    """The notebook ``cells`` with ``mutant`` applied to its function in cell ``index`` (the same
    operator and site on this variant's source); None when this variant's function has no such site."""
    source = functions_of(cells[index]).get(mutant.function)
    mutated = apply(source, operator_named(mutant.operator), mutant.site) if source else None
    if mutated is None:
        return None
    return [replaced(cell, mutant.function, mutated) if i == index else cell for i, cell in enumerate(cells)]


# --------------------------------------------------------------------------
# Equivalence, in the grader's process
# --------------------------------------------------------------------------
def same_value(a: Any, b: Any) -> bool:
    """Whether two returned values are the same (numbers up to rounding, containers elementwise)."""
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and \
            all(same_value(a[k], b[k]) for k in a)
    try:
        x, y = np.asarray(a), np.asarray(b)
        if x.dtype.kind in "biufc" and y.dtype.kind in "biufc":
            return x.shape == y.shape and bool(np.allclose(x, y, rtol=SAME_RTOL, atol=SAME_ATOL, equal_nan=True)) \
                and np.isinf(x).tolist() == np.isinf(y).tolist()
    except Exception:
        pass
    try:
        return bool(a == b)
    except Exception:
        return False


class _SideBySide:
    """``student`` for the equivalence run: each call goes to the mutant and the model answer."""

    def __init__(self, mutant: Mapping[str, Any], model: Mapping[str, Any]) -> None:
        self._mutant, self._model, self.differed = mutant, model, False

    def has(self, name: str) -> bool:
        self.differed |= (name in self._mutant) != (name in self._model)
        return name in self._mutant

    def value(self, name: str) -> Any:
        self.differed |= not same_value(self._mutant.get(name), self._model.get(name))
        return self._mutant.get(name)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            try:  # either side raising (the model answer too: nothing to compare with) is a difference
                expected = self._model[name](*copy.deepcopy(args), **copy.deepcopy(kwargs))
                got = self._mutant[name](*copy.deepcopy(args), **copy.deepcopy(kwargs))
            except Exception:
                self.differed = True
                raise
            self.differed |= not same_value(got, expected)
            return got
        return call


class _Slow(BaseException):
    """The alarm of the equivalence run: a BaseException, so no check's ``except Exception`` swallows it."""


def _alarm(signum: int, frame: Any) -> None:
    raise _Slow()


class _TimeLimit:
    """At most EQUIVALENCE_SECONDS for the block (on the main thread, where signals arrive; no limit
    elsewhere): past it :class:`_Slow` is raised inside the block."""

    def __enter__(self) -> None:
        self.timed = threading.current_thread() is threading.main_thread()
        if self.timed:
            self.previous = signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, EQUIVALENCE_SECONDS)

    def __exit__(self, *exc: Any) -> None:
        if self.timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def equivalent_on(exercise: Exercise, cells: Sequence[str], mutated: Sequence[str], params: dict) -> bool:
    """Whether the mutant notebook ``mutated`` returns what the model notebook ``cells`` returns for
    every call ``exercise``'s checks make on this variant. Runs here, in the grader's process (both
    sides are instructor code); False when a side raises or the run takes over EQUIVALENCE_SECONDS."""
    from autograder.grading.engine import ReferenceView
    from exercises.dlcheck import run_check

    try:
        with _TimeLimit(), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            model = reference_namespace(list(cells))
            student = _SideBySide(reference_namespace(list(mutated)), model)
            for check in exercise.checks:
                run_check(check.function, {"student": student, "ref": ReferenceView(model), "params": params})
                if student.differed:
                    return False
        return True
    except (_Slow, Exception):
        return False


@dataclass(frozen=True)
class JudgedInProcess:
    """What ``exercise``'s checks conclude about a notebook, judged in the grader's process."""

    points_lost: float
    failing: tuple[tuple[str, str, str], ...]
    """(check name, hint shown, named mistake) of each check that did not pass, in check order."""


def judge_in_process(exercise: Exercise, cells: Sequence[str], answered: Sequence[str], params: dict,
                     checks: Sequence[Any] | None = None) -> JudgedInProcess | None:
    """Run ``exercise``'s checks (or only ``checks``) on the notebook ``answered`` with the model
    notebook ``cells`` as ``ref``, here in the grader's process: for instructor code on both sides
    (model answers, their mutants, catalogued mistakes), never for a student's. The values pass
    through :class:`exercises.dlcheck.LocalStudent`, as they pass through the worker, and the hint
    shown is chosen as :func:`autograder.grading.engine.check_result` chooses it. None when the
    run takes over EQUIVALENCE_SECONDS (a mistake that loops: grade it with the engine instead)."""
    from autograder.grading.engine import ReferenceView
    from exercises.dlcheck import PASSED, LocalStudent, run_check

    lost, failing = 0.0, []
    try:
        with _TimeLimit(), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            model = reference_namespace(list(cells))
            student = LocalStudent(reference_namespace(list(answered), tolerant=True))
            for check in exercise.checks if checks is None else checks:
                outcome = run_check(check.function, {"student": student, "ref": ReferenceView(model),
                                                     "params": params})
                if outcome.status != PASSED:
                    lost += check.points
                    failing.append((check.name, outcome.hint or check.hint,
                                    outcome.mistake if outcome.status == "failed" else ""))
    except _Slow:
        return None
    return JudgedInProcess(round(lost, 6), tuple(failing))


# --------------------------------------------------------------------------
# Grading one mutant
# --------------------------------------------------------------------------
def names_changed_line(message: str, diff: str) -> bool:
    """Whether a check's message quotes (as `source`, :func:`exercises.dlcheck.raised_at`) the line
    where the mutation made the code raise: a line the mutant's ``diff`` added, or the ``raise``
    right below an added ``if``/``elif`` line (a guard the mutation changed raised)."""
    lines = [line for line in diff.splitlines() if not line.startswith(("+++", "---", "@@"))]
    located = []
    for number, line in enumerate(lines):
        if not line.startswith("+"):
            continue
        located.append(line[1:].strip())
        after = next((n[1:].strip() for n in lines[number + 1:] if not n.startswith("-")), "")
        if line[1:].strip().startswith(("if ", "elif ")) and after.startswith("raise "):
            located.append(after)
    return any(line and f": `{line[:200]}`" in message for line in located)


@dataclass(frozen=True)
class Variant:
    """One audit student's notebook of model answers."""

    student: str
    params: dict
    """Exercise key -> that exercise's params."""
    cells: tuple[str, ...]


def audit_mutant(exercises: Sequence[Exercise], position: int, mutant: Mutant, variants: Sequence[Variant], *,
                 limits: Any = None, sandbox: str = "auto") -> MutantAudit:
    """Grade ``mutant`` of a function of ``exercises[position]`` on every variant where it is not equivalent.

    The whole notebook is graded as ``grade autograde`` grades it (every exercise's model answer
    in the worker and in ``ref``: one exercise's functions may call another's), but only this
    exercise's checks run: the others are passed with no checks."""
    from autograder.grading.engine import grade_code

    exercise, index = exercises[position], position + 1  # cell 0 is the preamble
    only_this = [e if i == position else replace(e, checks=()) for i, e in enumerate(exercises)]

    common = dict(id=mutant.id, function=mutant.function, operator=mutant.operator,
                  description=mutant.description, diff=mutant.diff)
    catalogue = catalogue_of(exercise)
    lost, crashed, timed_out, named, shown, located, graded = [], False, False, False, False, False, 0
    hints: list[str] = []
    failing: list[str] = []
    for variant in variants:
        mutated = mutant_cells(variant.cells, index, mutant)
        if mutated is None or equivalent_on(exercise, variant.cells, mutated, variant.params[exercise.key]):
            lost.append(0.0)
            continue
        graded += 1
        results, *_ = grade_code(mutated, exercises=only_this, params=variant.params, limits=limits,
                                 sandbox=sandbox)
        checks = results[position].checks
        lost.append(round(sum(c.max_points - c.points for c in checks), 6))
        for check in checks:
            if check.status == "passed":
                continue
            crashed |= check.status == "error"
            timed_out |= check.status == "timeout"
            named |= catalogue.names(check.mistake)
            shown |= check.public and check.status == "error" and check.message.startswith(RAISED)
            located |= check.public and check.status == "error" and names_changed_line(check.message, mutant.diff)
            for collected, item in ((hints, check.mistake), (failing, check.name)):
                if item and item not in collected:
                    collected.append(item)
    if not graded:
        return MutantAudit(**common, status="equivalent")
    status = "killed" if any(p > 0 for p in lost) else "survived"
    return MutantAudit(**common, status=status, points_lost=tuple(lost), crashed=crashed, timed_out=timed_out,
                       named=named, exception_shown=shown, located=located, mistakes=tuple(hints), failing_checks=tuple(failing))


# --------------------------------------------------------------------------
# An assignment
# --------------------------------------------------------------------------
def audit_variants(exercises: Sequence[Exercise], secret: bytes, count: int) -> list[Variant]:
    """The ``count`` audit students' model-answer notebooks (students ``audit-000`` ...)."""
    variants = []
    for number in range(count):
        student = f"{STUDENT_PREFIX}{number:03d}"
        params = {e.key: variant_params(e, secret, student) for e in exercises}
        variants.append(Variant(student, params, tuple(model_cells(exercises, params))))
    return variants


def _mutants_by_exercise(exercises: Sequence[Exercise], first: Variant) -> list[list[Mutant]]:
    """The mutants of each exercise's model-answer functions, from the first variant's cells."""
    return [[m for source in functions_of(first.cells[index]).values() for m in mutants_of(source)]
            for index in range(1, len(exercises) + 1)]


def _grade_job(job: dict[str, Any]) -> MutantAudit:
    """One mutant in a pool process (the exercise is read again there: modules do not pickle)."""
    import importlib

    from exercises.model import get_exercises, load_exercise
    try:
        exercises = get_exercises(job["keys"], course=job["course"])
    except KeyError:  # modules outside the library and the course (tests)
        exercises = [load_exercise(importlib.import_module(name)) for name in job["modules"]]
    return audit_mutant(exercises, job["position"], job["mutant"], job["variants"], limits=job["limits"],
                        sandbox=job["sandbox"])


def audit_exercises(exercises: Sequence[Exercise], *, assignment: str, secret: bytes, variants: int = 20,
                    jobs: int = 1, course: str | None = None, limits: Any = None, sandbox: str = "auto",
                    progress: Callable[[str, MutantAudit], None] | None = None) -> AuditReport:
    """Audit the checks of ``exercises`` (an assignment, in notebook order) with ``variants`` audit
    students; ``jobs`` mutants graded at a time (``course``: where the pool processes find the
    course's own exercise modules). ``progress(key, result)`` is called as each mutant is done."""
    if variants < 1:
        raise ValueError(f"variants must be at least 1, got {variants}")
    notebooks = audit_variants(exercises, secret, variants)
    per_exercise = _mutants_by_exercise(exercises, notebooks[0])
    keys, modules = [e.key for e in exercises], [e.module.__name__ for e in exercises]
    jobs_list = [dict(keys=keys, modules=modules, course=course, key=e.key, position=position, mutant=mutant,
                      variants=notebooks, limits=limits, sandbox=sandbox)
                 for position, (e, found) in enumerate(zip(exercises, per_exercise)) for mutant in found]
    done: dict[str, list[MutantAudit]] = {e.key: [] for e in exercises}

    def record(key: str, result: MutantAudit) -> None:
        done[key].append(result)
        if progress:
            progress(key, result)

    if jobs <= 1 or len(jobs_list) <= 1:
        for job in jobs_list:
            record(job["key"], audit_mutant(exercises, job["position"], job["mutant"], notebooks,
                                            limits=limits, sandbox=sandbox))
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["autograder.grading.engine", "autograder.sandbox.handle", "exercises.model"])
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = {pool.submit(_grade_job, job): job["key"] for job in jobs_list}
            for future in as_completed(futures):
                record(futures[future], future.result())
    return AuditReport(assignment=assignment, variants=variants, students=tuple(v.student for v in notebooks),
                       exercises=tuple(_exercise_audit(e, found, done[e.key])
                                       for e, found in zip(exercises, per_exercise)))


def _exercise_audit(exercise: Exercise, found: Sequence[Mutant], results: Sequence[MutantAudit]) -> ExerciseAudit:
    order = {m.id: i for i, m in enumerate(found)}
    catalogue = catalogue_of(exercise)
    reported = {catalogue.entry_of(hint) for r in results for hint in r.mistakes}
    notes = () if found else ("no model-answer function to mutate (the solution cell holds values, "
                              "not functions): not audited",)
    return ExerciseAudit(key=exercise.key, title=exercise.title, max_points=exercise.points,
                         mutants=tuple(sorted(results, key=lambda r: order[r.id])),
                         catalogue=catalogue.mistakes,
                         catalogue_unmatched=tuple(m for m in catalogue.mistakes if m not in reported),
                         notes=notes)


def report_json(report: AuditReport) -> str:
    """The report as JSON text (no student-controlled text in it: mutants come from model answers)."""
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False)
