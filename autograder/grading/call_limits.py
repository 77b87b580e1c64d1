"""Per-call time limits scaled to the work: each exercise's from its model answer's cost on this machine.

A flat limit is either too short for an exercise whose calls really work
(training a network, in plain Python loops) or too long for one whose calls
take microseconds (an endless loop then costs seconds per check). So, per
exercise::

    limit = min(ceiling, max(floor, factor × slowest model call))

``slowest model call``
    the longest single call of a student function while the exercise's checks
    run against the model answer, here in the grading process (numpy, no
    worker). It is measured only when it matters: the first time one of the
    exercise's calls is still running after ``floor`` seconds (the worker's
    :class:`~autograder.sandbox.handle.CallDeadline`), while that call keeps
    running, then kept for the grading process (variants of one exercise cost
    alike). Grading where every call is quick never pays for it.
``factor``
    :data:`DEFAULT_FACTOR` (50): a plain-Python loop over the small inputs of
    the checks stays within a few tens of the model's numpy time; an exercise
    whose calls train declares ``CALL_TIME_FACTOR`` in its module (e.g. 500:
    an epoch loop in plain Python is hundreds of times numpy's).
``floor``
    0.25 s: below it the limit would measure noise — a loaded machine, the
    worker's channel (a round trip is ~0.2 ms, an array of a million values
    ~75 ms there and back on a loaded machine), a slow first call — not the
    student's code. An endless loop in a cheap function thus costs 0.25 s (a
    flat limit: 5 s). It was 1 s: with a tenth of a class looping, the floor
    was a third of the class's grading time (``bench/profile_class.py``),
    while the library's cheap exercises' model calls take at most ~6 ms
    (50 x that is 0.3 s, above the floor anyway) and their plain-Python
    versions tens of milliseconds on the checks' small inputs. Counting CPU
    time (below) took the load out of the noise but not the slowest
    plain-Python answer a library check means to pass: a naive recursive
    ``fibonacci(30)`` (a5.fibonacci's public check; ~1.6 million calls, about
    0.08 s of CPU here, where the model's calls take microseconds, so the floor
    alone decides) — a 0.1 s floor (0.08 s in effect, the kernel counting in
    ticks) would time it out; 0.25 s leaves it a margin of 3
    (``test_the_slowest_plain_python_answer_a_library_check_means_to_pass_keeps_its_points``).
``ceiling``
    60 s: what one call may take whatever the model's cost; the submission's
    budget (:class:`autograder.sandbox.process.Limits`) still bounds the total.

Margins, stated: a correct implementation is timed out only if one of its
calls is more than ``factor`` times the model's slowest (and over the floor),
measured on the same machine at the same time, so machine load mostly cancels
out; the measurement is the slowest call, not the mean, and includes copying
the arguments, which the worker also does. The limit is enforced on the
worker's CPU time (:meth:`autograder.sandbox.handle.StudentWorker` waits while
the worker has CPU time left, up to 5 × the limit of wall time), so the wall
time that other processes or the grader's follow-through answers add is not
charged to the student.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable, Mapping, Sequence

from exercises.dlcheck import LocalStudent, run_check
from exercises.model import Exercise, reference_namespace

DEFAULT_FACTOR = 50.0
FACTOR_ATTRIBUTE = "CALL_TIME_FACTOR"
"""The exercise-module constant that declares a larger factor (exercises whose calls train)."""


@dataclass(frozen=True)
class CallLimitPolicy:
    """The numbers of ``min(ceiling, max(floor, factor × slowest model call))``, in seconds."""

    floor: float = 0.25
    """No call is limited to less (noise, load, the channel)."""
    ceiling: float = 60.0
    """No call is allowed more."""
    default_factor: float = DEFAULT_FACTOR
    """The factor of exercises that declare none."""

    def limit(self, model_seconds: float, factor: float | None = None) -> float:
        """The per-call limit for a model answer whose slowest call took ``model_seconds``."""
        scaled = (self.default_factor if factor is None else factor) * model_seconds
        return min(self.ceiling, max(self.floor, scaled))


log = logging.getLogger(__name__)

_measured: dict[str, float] = {}
"""Slowest model call by exercise key, measured once per grading process."""


def factor_of(exercise: Exercise) -> float | None:
    """The exercise's declared ``CALL_TIME_FACTOR``, or None; a bad declaration names the module."""
    factor = getattr(exercise.module, FACTOR_ATTRIBUTE, None)
    if factor is not None and not (isinstance(factor, (int, float)) and factor > 0):
        raise ValueError(f"{exercise.module.__name__}.{FACTOR_ATTRIBUTE} = {factor!r}: "
                         "declare a positive number (how many times the model answer's slowest call)")
    return factor


def slowest_model_call(exercise: Exercise, params: Mapping[str, Any], namespace: Mapping[str, Any]) -> float:
    """Seconds of the longest single call of a student function when ``exercise``'s checks (variant
    ``params``) run here against the model answer in ``namespace`` (the solution cells of its assignment:
    an exercise may call an earlier one's functions); measured once per process and exercise."""
    if exercise.key not in _measured:
        student = _TimingStudent(namespace)
        for check in exercise.checks:
            run_check(check.function, {"student": student, "ref": SimpleNamespace(**namespace), "params": params})
        _measured[exercise.key] = student.slowest
    return _measured[exercise.key]


class LazyCallLimits:
    """The per-call limits of ``exercises``, each measured the first time it is asked for.

    ``namespace`` is the model answer (the solution cells of the exercises'
    assignment), ``params`` the variants by exercise key.
    """

    def __init__(self, exercises: Sequence[Exercise], params: Mapping[str, Mapping[str, Any]],
                 namespace: Mapping[str, Any], policy: CallLimitPolicy = CallLimitPolicy()) -> None:
        self._exercises = {e.key: e for e in exercises}
        self._params, self._namespace, self.policy = params, namespace, policy

    def limit(self, key: str) -> float:
        """The limit of exercise ``key``; on a failure to measure (a broken model answer), the floor, logged."""
        exercise = self._exercises[key]
        try:
            seconds = slowest_model_call(exercise, self._params[key], self._namespace)
        except Exception as err:  # the checks already ran on this model answer before release
            log.warning("could not measure the model answer of %s (%s: %s); its calls get %g s",
                        key, type(err).__name__, err, self.policy.floor)
            return self.policy.floor
        return self.policy.limit(seconds, factor_of(exercise))


class _TimingStudent(LocalStudent):
    """``student`` calling the model answer in this process, noting the slowest call."""

    def __init__(self, namespace: Mapping[str, Any]) -> None:
        super().__init__(namespace)
        self.slowest = 0.0

    def __getattr__(self, name: str) -> Callable[..., Any]:
        function = super().__getattr__(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.slowest = max(self.slowest, time.perf_counter() - started)
        return call
