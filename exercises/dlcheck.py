"""dlcheck: the small, numpy-only check library shared by the grader and the students.

The same file is imported by the grader (as ``exercises.dlcheck``) and carried
inside every released notebook, whose dlcheck cell executes its source as the
module ``dlcheck`` (see autograder/course/notebooks.py), so it may import
nothing but numpy and the standard library.
"""
from __future__ import annotations

import math
import re
from typing import Any, Callable, Mapping

import numpy as np

_MAX_SHOWN = 8  # array elements printed in a message


class StudentError(Exception):
    """The student's code could not produce a value (base class)."""


class StudentRaised(StudentError):
    """The student's function raised an exception.

    Attributes: ``type_name`` (e.g. "ZeroDivisionError"), ``message`` and
    ``traceback`` (a short, student-only excerpt).
    """

    def __init__(self, type_name: str, message: str, traceback: str = "") -> None:
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name
        self.message = message
        self.traceback = traceback


class MissingName(StudentError):
    """The notebook does not define the function or variable a check needs."""

    def __init__(self, name: str) -> None:
        super().__init__(f"`{name}` is not defined: run the cell that defines it, and keep its name")
        self.name = name


class StudentTimeout(StudentError):
    """A call into the student's code ran longer than its time limit."""


class WorkerCrashed(StudentError):
    """The process running the student's code died (crash, exit, memory limit)."""


class BudgetExhausted(StudentError):
    """The submission used up its total time budget; remaining calls are not run."""


# --------------------------------------------------------------------------
# Check outcomes
# --------------------------------------------------------------------------
class CheckFailed(AssertionError):
    """A check found a wrong answer.

    ``message`` may show inputs and values (public checks only); ``hint``
    never does, so it is safe to show for hidden checks too.
    """

    def __init__(self, message: str, hint: str = "", *, mistake: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.mistake = hint if mistake is None else mistake
        """The named mistake counted in class reports: the hint unless the hint also carries the
        student's own numbers (then the mistake alone, or "" when none was recognised)."""


class NotAnswered(CheckFailed):
    """The answer is missing (a value left as ``None``): the check fails, but as "not attempted yet",
    so the hint is not counted as a mistake the student made."""


# --------------------------------------------------------------------------
# Reading a student's value as numbers
# --------------------------------------------------------------------------


def is_opaque(value: Any) -> bool:
    """Is ``value`` a stand-in for something the worker could not send as data?"""
    return type(value).__name__ == "Opaque" and hasattr(value, "type_name")


def describe_type(value: Any) -> str:
    """A short, student-readable name for the type of ``value``."""
    if is_opaque(value):
        return f"a {value.type_name} object"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a {type(value).__name__}"


def show(value: Any) -> str:
    """Format a value compactly for a feedback message."""
    if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return repr(value)[:200]
        if arr.ndim == 0:
            return f"{float(arr):.6g}"
        with np.printoptions(precision=6, threshold=_MAX_SHOWN, edgeitems=3, suppress=False):
            return np.array2string(arr, separator=", ")
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)[:200]


def as_numbers(got: Any, what: str) -> np.ndarray:
    """Read a returned value as a float array, or fail with a message that says why not."""
    if got is None:
        raise CheckFailed(f"{what} returned None.", "Did you forget the `return` statement?")
    if is_opaque(got) or callable(got) or isinstance(got, (str, bytes, dict, set)):
        raise CheckFailed(
            f"{what} returned {describe_type(got)}; a number or a numpy array was expected.",
            "Return a number or a numpy array (not a generator, string or custom object).",
        )
    try:
        kind = np.asarray(got).dtype.kind
        if kind not in "biuf":  # strings and objects are not numbers, even "4.0"
            raise TypeError(f"its elements are of dtype kind {kind!r}, not numbers")
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError) as err:
        raise CheckFailed(
            f"{what} returned {describe_type(got)} that cannot be read as numbers ({err}).",
            "Return a number or a numpy array of numbers with a regular shape.",
        ) from None
    return arr


# --------------------------------------------------------------------------
# Comparisons with diagnoses of common mistakes
# --------------------------------------------------------------------------
def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def diagnose(got: np.ndarray, expected: np.ndarray, *, n: int | None = None,
             mistakes: Mapping[str, Any] | None = None, rtol: float = 1e-6,
             atol: float = 1e-8) -> str:
    """Name the common mistake that turns ``expected`` into ``got``, or return "".

    ``mistakes`` maps a hint to the value a known wrong implementation gives
    (for example ``{"σ'(z) is s(1 − s), with s = σ(z), not s(1 − z)": s * (1 - z)}``).
    """
    for hint, wrong in (mistakes or {}).items():
        if _close(got, np.asarray(wrong, dtype=float), rtol, atol):
            return hint
    if got.shape != expected.shape:
        if got.T.shape == expected.shape and _close(got.T, expected, rtol, atol):
            return "The values are right but the result is transposed: check the order of the axes."
        if got.size == expected.size and _close(got.reshape(expected.shape), expected, rtol, atol):
            return f"The values are right but the shape is {got.shape}, not {expected.shape}: reshape or don't add axes."
        return ""
    if not np.any(expected):
        return ""
    if _close(-got, expected, rtol, atol):
        return "The sign is flipped: check the direction of a subtraction (y − ŷ vs ŷ − y) or a missing minus."
    if _close(got, 2 * expected, rtol, atol):
        return "Off by a factor of 2: check the ½ in the formula."
    if _close(2 * got, expected, rtol, atol):
        return "Off by a factor of ½: check whether the formula has a ½ you added or dropped."
    if n and n > 1 and _close(got, n * expected, rtol, atol):
        return f"Off by a factor of n = {n}: the mean over samples was expected, not the sum."
    if n and n > 1 and _close(got * n, expected, rtol, atol):
        return f"Off by a factor of 1/n = 1/{n}: the sum was expected, not the mean."
    return diagnose_pattern(got, expected, rtol, atol)


def diagnose_pattern(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    """What the wrong values have in common with the expected ones, said as what happened (every
    diagnosis holds exactly for ``got``, so it never names a mistake that was not made), or ""."""
    if not (np.all(np.isfinite(got)) and np.all(np.isfinite(expected))):
        return ""
    if not np.any(got):
        return "Every value you returned is 0: a factor, a term or the accumulation is missing."
    if _close(got, 1 - expected, rtol, atol):
        return "This is 1 minus the expected value (the complement): check which side of a subtraction or branch you return."
    if np.all(expected != 0) and _close(got * expected, np.ones_like(expected), rtol, atol):
        return "These are the reciprocals of the expected values: a fraction is upside down."
    if expected.size < 2 or np.ptp(expected) <= atol + rtol * np.max(np.abs(expected)):
        return ""
    nonzero = np.abs(expected) > atol
    if np.any(nonzero):
        ratio = float(np.median(got[nonzero] / expected[nonzero]))
        if _close(got, ratio * expected, rtol, atol):
            return f"Off by a constant factor of {ratio:.4g} on every value: a factor is missing, extra or wrong."
    offset = float(np.median(got - expected))
    if _close(got, expected + offset, rtol, atol):
        return f"Off by the same amount ({offset:+.4g}) on every value: a term is missing, extra or wrong."
    right = np.isclose(got, expected, rtol=rtol, atol=atol)
    if right.any():
        return (f"Right for {int(right.sum())} of {right.size} values and wrong for the others: check the "
                "case your code handles differently (a branch, a boundary, the sign of the input).")
    return ""


NON_FINITE = ("The result contains inf or NaN where a finite value was expected: look for an overflow "
              "(np.exp of a large number: use a numerically stable form), a division by zero or a log of 0.")


def failure_hint(got: np.ndarray, expected: np.ndarray, *, hint: str = "", n: int | None = None,
                 mistakes: Mapping[str, Any] | None = None, rtol: float = 1e-6,
                 atol: float = 1e-8) -> tuple[str, str | None]:
    """The (hint, mistake) of a failed comparison: how every check, public or hidden, chooses what to tell.

    In this order, the first that applies:

    1. a **catalogued mistake** of the check (``mistakes``: hint -> the value that mistake computes
       on the check's inputs, computed with instructor code in the grader) whose value ``got``
       matches: its hint, which is also the mistake;
    2. a **generic diagnosis** that holds exactly for ``got`` (:func:`diagnose`: transposed, reshaped,
       sign flipped, a factor 2 or n, all zero, the complement, reciprocals, a constant factor or
       offset, right on some values only; :data:`NON_FINITE` for inf or NaN where a number was due):
       the mistake, shown followed by ``hint``;
    3. ``hint``: what the check tested (the check's own hint), and no mistake recognised (None:
       :class:`CheckFailed` then counts the hint as before).

    So a hint names a mistake only when the returned values show it was made, never one that was
    not; the grader shows this hint for hidden checks too (:func:`autograder.grading.engine.check_result`
    falls back to the check's ``hidden(hint=...)`` only when it is empty).
    """
    for text, wrong in (mistakes or {}).items():
        if _close(got, np.asarray(wrong, dtype=float), rtol, atol):
            return text, text
    same_shape = got.shape == expected.shape
    if same_shape and bool(((np.isnan(got) & ~np.isnan(expected)) | (np.isinf(got) & ~np.isinf(expected))).any()):
        found = NON_FINITE
    else:
        found = diagnose(got, expected, n=n, rtol=rtol, atol=atol)
    if not found:
        return hint, None
    return (f"{found} {hint}" if hint and hint != found else found), found


def expect_close(got: Any, expected: Any, *, what: str, rtol: float = 1e-6, atol: float = 1e-8,
                 n: int | None = None, mistakes: Mapping[str, Any] | None = None,
                 hint: str = "") -> None:
    """Pass when ``got`` has the shape of ``expected`` and matches it within the tolerance.

    .. math:: |got - expected| \\le atol + rtol \\cdot |expected|  (elementwise)

    Failures say what was expected and what was received; the hint is chosen by
    :func:`failure_hint` (a catalogued mistake, a generic diagnosis, else ``hint``).
    """
    want = np.asarray(expected, dtype=float)
    arr = as_numbers(got, what)
    if arr.shape == () and want.shape == (1,) or arr.shape == (1,) and want.shape == ():
        arr = arr.reshape(want.shape)
    if _close(arr, want, rtol, atol):
        return
    shown, mistake = failure_hint(arr, want, hint=hint, n=n, mistakes=mistakes, rtol=rtol, atol=atol)
    same_shape = arr.shape == want.shape
    bad_nan = same_shape and bool((np.isnan(arr) & ~np.isnan(want)).any())
    bad_inf = same_shape and bool((np.isinf(arr) & ~np.isinf(want)).any())
    if bad_nan or bad_inf:
        message = (f"{what}: the result contains {'NaN' if bad_nan else 'inf'} where a finite value was expected.\n"
                   f"  expected: {show(want)}\n  got:      {show(arr)}")
    elif not same_shape:
        message = f"{what}: expected shape {want.shape}, got shape {arr.shape}."
    else:
        message = f"{what}: wrong value.\n  expected: {show(want)}\n  got:      {show(arr)}"
    raise CheckFailed(message, shown, mistake=mistake)


def _equal(got: Any, value: Any) -> bool:
    """Does ``got`` equal ``value`` exactly, as :func:`expect_equal` compares (same type for a string,
    bool or None; same shape and values for numbers)?"""
    if isinstance(value, (str, bool)) or value is None:
        return type(got) is type(value) and got == value
    if got is None or isinstance(got, (str, bytes, bool)) or is_opaque(got) or callable(got):
        return False
    try:
        return bool(np.array_equal(np.asarray(got, dtype=float), np.asarray(value, dtype=float)))
    except (TypeError, ValueError):
        return False


def expect_equal(got: Any, expected: Any, *, what: str, hint: str = "",
                 mistakes: Mapping[str, Any] | None = None) -> None:
    """Pass when ``got`` equals ``expected`` exactly (ints, bools, strings, integer arrays).

    ``mistakes`` maps a hint to the value a known wrong implementation gives on the check's input
    (computed with instructor code in the check, e.g. ``{"n // b drops the last batch": n // b}``).
    A failure is told as :func:`failure_hint` tells it: the catalogued mistake whose value ``got``
    equals exactly (its hint, which is also the mistake), else the check's own ``hint`` (a generic
    diagnosis for a wrong shape). Exact values coincide more often than floats, so a value two
    mistakes give names neither (it cannot tell them apart), and one equal to ``expected`` none.
    """
    matched = [text for text, value in (mistakes or {}).items()
               if not _equal(value, expected) and _equal(got, value)]
    wrong = matched[0] if len(matched) == 1 else None
    shown = hint if wrong is None else wrong
    if isinstance(expected, (str, bool)) or expected is None:
        if _equal(got, expected):
            return
        raise CheckFailed(f"{what}: expected {expected!r}, got {show(got)}.", shown, mistake=wrong)
    want = np.asarray(expected)
    arr = as_numbers(got, what)
    if arr.shape == want.shape and np.array_equal(arr, want):
        return
    if arr.shape != want.shape:
        raise CheckFailed(f"{what}: expected shape {want.shape}, got shape {arr.shape}.",
                          wrong or diagnose(arr, want.astype(float)) or hint, mistake=wrong)
    raise CheckFailed(f"{what}: expected {show(want)}, got {show(arr)}.", shown, mistake=wrong)


def expect(condition: bool, message: str, hint: str = "") -> None:
    """Pass when ``condition`` holds; otherwise fail with ``message`` and ``hint``."""
    if not condition:
        raise CheckFailed(message, hint)


def expect_number(value: Any, name: str, asked: str) -> float:
    """A numeric answer's form: pass when the variable ``name`` holds a number (an int, a float or a
    numeric string such as ``"0.0120"``, which keeps its trailing zeros) and return it as a float.

    Says what is asked (``asked``, e.g. "3 significant figures"), never the expected value; a
    variable left at ``None`` fails as not answered yet.
    """
    if value is None:
        raise NotAnswered(f"`{name}` is still None.", f"Replace the `raise` by your answer ({asked}).")
    if isinstance(value, str):
        try:
            return float(value.strip().replace("_", ""))
        except ValueError:
            pass
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) or abs(value) < 10**308:
            return float(value)
        return math.inf if value > 0 else -math.inf  # an int too large for a float
    raise CheckFailed(f"`{name}` holds {describe_type(value)} {show(value)}, not a number; {asked} expected.",
                      f"Assign a number, e.g. {name} = 0.0123 (or a string \"0.0120\" to keep trailing zeros).")


def expect_letters(value: Any, name: str, n_options: int) -> str:
    """A choice answer's form: pass when ``name`` holds option letters among the first ``n_options``
    (``"B"``, ``"AC"``, ``"a, c"`` or ``["A", "C"]``) and return them upper-case, sorted, once each.

    Says nothing about which options are right; ``None`` fails as not answered yet.
    """
    shown = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:n_options]
    if value is None:
        raise NotAnswered(f"`{name}` is still None.", f"Replace the `raise` by the letters of your choice ({shown}).")
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        value = "".join(value)
    if not isinstance(value, str):
        raise CheckFailed(f"`{name}` holds {describe_type(value)}, not option letters.",
                          f'Assign a string of letters, e.g. {name} = "{shown[0]}".')
    letters = value.upper().replace(",", "").replace(" ", "")
    unknown = sorted(set(letters) - set(shown))
    if unknown:
        raise CheckFailed(f"`{name}` = {show(value)} names {', '.join(unknown[:5])}: the options are {', '.join(shown)}.",
                          f"Use only the letters {shown} shown with the options.")
    return "".join(sorted(set(letters)))


# --------------------------------------------------------------------------
# The student's functions, called in the student's own kernel
# --------------------------------------------------------------------------
class Opaque:
    """Stands for a returned object that is not plain data (a generator, a custom class...)."""

    def __init__(self, type_name: str, summary: str = "") -> None:
        self.type_name = type_name
        self.summary = summary

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


def as_data(value: Any, depth: int = 0) -> Any:
    """Copy ``value`` into plain data (numbers, strings, arrays, lists, tuples, dicts).

    Mirrors what the grader's worker sends back, so a student sees in the
    notebook the same verdicts the grader will give.
    """
    if depth > 20:
        return Opaque("deeply nested")
    if value is None or type(value) in (bool, int, float, str, complex):
        return value
    if isinstance(value, np.generic) and not isinstance(value, np.object_):
        return value.item()
    if type(value) is np.ndarray and value.dtype != object:
        return value.copy()
    if type(value) in (list, tuple):
        items = [as_data(v, depth + 1) for v in value]
        return items if type(value) is list else tuple(items)
    if type(value) is dict:
        return {as_data(k, depth + 1): as_data(v, depth + 1) for k, v in value.items()}
    return Opaque(type(value).__name__)


class LocalStudent:
    """``student`` in a notebook: calls the functions the notebook defined.

    ``student.sigmoid(z)`` calls the notebook's ``sigmoid`` on a copy of the
    arguments and returns its result as plain data; ``student.value("name")``
    reads a variable; ``student.has("name")`` tells whether it is defined.
    """

    def __init__(self, namespace: Mapping[str, Any]) -> None:
        self._namespace = namespace
        self.last_output = ""
        """What the student's code printed (warnings included) during the last call."""

    def has(self, name: str) -> bool:
        return name in self._namespace

    def value(self, name: str) -> Any:
        if name not in self._namespace:
            raise MissingName(name)
        return as_data(self._namespace[name])

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._namespace or not callable(self._namespace[name]):
            raise MissingName(name)
        function = self._namespace[name]

        def call(*args: Any, **kwargs: Any) -> Any:
            import contextlib
            import copy
            import io
            import traceback
            import warnings
            printed = io.StringIO()
            try:
                with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed), \
                        warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    result = function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
            except Exception as err:  # the student's error, reported as such
                short = "".join(traceback.format_exception_only(type(err), err)).strip()
                raise StudentRaised(type(err).__name__, str(err), short) from None
            finally:
                self.last_output = printed.getvalue()
            self.last_output += "".join(f"{w.category.__name__}: {w.message}\n" for w in caught)
            return as_data(result)

        return call


# --------------------------------------------------------------------------
# Reference values for public checks: recorded by the grader, replayed in the notebook
# --------------------------------------------------------------------------
def to_jsonable(value: Any) -> Any:
    """Encode numbers, arrays, tuples and dicts as JSON with a few tags (no code, no pickle)."""
    if isinstance(value, np.ndarray):
        return {"__array__": {"dtype": value.dtype.str, "shape": list(value.shape),
                              "data": [to_jsonable(v) for v in value.ravel().tolist()]}}
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [to_jsonable(v) for v in value]}
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        if all(type(k) is str for k in value):
            return {"__dict__": {k: to_jsonable(v) for k, v in value.items()}}
        return {"__items__": [[to_jsonable(k), to_jsonable(v)] for k, v in value.items()]}
    if value is None or type(value) in (bool, int, float, str):
        return value
    raise TypeError(f"cannot record a value of type {type(value).__name__} for a public check")


def from_jsonable(obj: Any) -> Any:
    """Decode what :func:`to_jsonable` wrote."""
    if isinstance(obj, list):
        return [from_jsonable(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    (tag, body), = obj.items()
    if tag == "__array__":
        data = [from_jsonable(v) for v in body["data"]]
        return np.array(data, dtype=np.dtype(body["dtype"])).reshape(body["shape"])
    if tag == "__float__":
        return float(body)
    if tag == "__tuple__":
        return tuple(from_jsonable(v) for v in body)
    if tag == "__dict__":
        return {k: from_jsonable(v) for k, v in body.items()}
    if tag == "__items__":
        return {_hashable(from_jsonable(k)): from_jsonable(v) for k, v in body}
    raise ValueError(f"unknown tag {tag!r} in the public check data")


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


class RecordingRef:
    """``ref`` while a public check runs in the grader: calls the reference and records results."""

    def __init__(self, namespace: Mapping[str, Any]) -> None:
        self._namespace = namespace
        self.calls: list[list[Any]] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        function = self._namespace[name]

        def call(*args: Any, **kwargs: Any) -> Any:
            result = function(*args, **kwargs)
            self.calls.append([name, to_jsonable(result)])
            return from_jsonable(to_jsonable(result))

        return call


class ReplayRef:
    """``ref`` in the student's notebook: returns the recorded reference results in order."""

    def __init__(self, calls: list[list[Any]]) -> None:
        self._calls = list(calls)
        self._position = 0

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if self._position >= len(self._calls) or self._calls[self._position][0] != name:
                raise RuntimeError("the public check data does not match this check: "
                                   "ask your instructor for a fresh copy of the assignment")
            result = self._calls[self._position][1]
            self._position += 1
            return from_jsonable(result)

        return call


# --------------------------------------------------------------------------
# Running one check (the grader and the notebook share this)
# --------------------------------------------------------------------------
PASSED, FAILED, ERROR, TIMEOUT = "passed", "failed", "error", "timeout"
NOT_WRITTEN = "Not written yet: the function still raises NotImplementedError."


class Outcome:
    """What one check concluded: ``status`` (passed/failed/error/timeout), ``message``, ``hint``;
    ``mistake``: the hint of a wrong answer the check found (empty for a missing answer, an error or a
    pass); ``attempted``: False when there was no answer at all (an unwritten stub, a value left unset)."""

    def __init__(self, status: str, message: str = "", hint: str = "", *, mistake: str = "",
                 attempted: bool = True, choices: tuple[dict, ...] = ()) -> None:
        self.status = status
        self.message = message
        self.hint = hint
        self.mistake = mistake
        self.attempted = attempted
        self.choices = choices
        """What a choice question's check noted in its ``record`` fixture: the options shown, each
        ``{"text", "picked", "right"}`` (see ``CheckResult.choices``); ``()`` for other checks."""


def call_with_fixtures(function: Callable[..., Any], fixtures: Mapping[str, Any]) -> Any:
    """Call a check with the fixtures its signature names (``student``, ``ref``, ``params``)."""
    import inspect
    names = inspect.signature(function).parameters
    missing = [n for n in names if n not in fixtures]
    if missing:
        raise TypeError(f"check {function.__name__} asks for unknown fixtures {missing}")
    return function(**{n: fixtures[n] for n in names})


_CELL_FRAME = re.compile(r'File "<cell \d+>", line (\d+), in (\S+)\n[ \t]+(\S[^\n]*)')


def raised_at(traceback: str) -> str:
    """Where in the student's code an exception was raised, from the worker's short traceback
    (frames of the student's cells only, innermost last): "line 4 of its cell, in `forward`: `x = x[:, 1]`",
    or "" when it holds no such frame (e.g. the exception came from inside numpy called at top level).

    Only the line of the student's own source is named, never a value: it goes into the check's
    message, which only public checks show (hidden checks replace it, :mod:`autograder.grading.engine`),
    so the line a hidden input made the code raise on never reaches the student."""
    frames = _CELL_FRAME.findall(traceback)
    if not frames:
        return ""
    line, function, source = frames[-1]
    inside = "" if function == "<module>" else f", in `{function}`"
    return f"line {line} of its cell{inside}: `{source.strip()[:200]}`"


def run_check(function: Callable[..., Any], fixtures: Mapping[str, Any]) -> Outcome:
    """Run one check and classify what happened; never raises for the student's faults.

    Besides ``fixtures``, a check may ask for ``record``: a list where it notes the answer as plain
    data for the class report (a choice question's options shown and picked), kept in the outcome
    when the check passes or fails on a wrong answer."""
    noted: list[dict] = []
    try:
        call_with_fixtures(function, {"record": noted, **fixtures})
    except NotAnswered as missing:
        return Outcome(FAILED, missing.message, missing.hint, attempted=False)
    except CheckFailed as failure:
        return Outcome(FAILED, failure.message, failure.hint, mistake=failure.mistake, choices=tuple(noted))
    except MissingName as missing:
        return Outcome(FAILED, str(missing), f"Define `{missing.name}` with exactly that name.")
    except StudentRaised as raised:
        if raised.type_name == "NotImplementedError":
            return Outcome(ERROR, NOT_WRITTEN,
                           "Replace `raise NotImplementedError()` in the solution cell with your code.",
                           attempted=False)
        where = raised_at(raised.traceback)
        return Outcome(ERROR, f"Your code raised {raised.type_name}: {raised.message}"
                              + (f"\n  at {where}" if where else ""),
                       "Read the error message; run the function on the example in the prompt.")
    except (StudentTimeout, BudgetExhausted) as slow:
        return Outcome(TIMEOUT, f"Your code ran out of time ({slow}).",
                       "Look for an endless loop, or a recursion without memoisation.")
    except WorkerCrashed as crash:
        return Outcome(ERROR, f"Your code stopped the Python process ({crash}).",
                       "Don't call exit() or use so much memory; run the cell on its own to see.")
    except AssertionError as failure:
        return Outcome(FAILED, str(failure) or "an assertion failed", "")
    except Exception as err:  # the check choked on what the student returned
        return Outcome(ERROR, f"Your result could not be checked ({type(err).__name__}: {err}).",
                       "Return exactly what the prompt asks for: the type, the shape and the order of values.")
    return Outcome(PASSED, choices=tuple(noted))


# --------------------------------------------------------------------------
# The check cells of a released notebook
# --------------------------------------------------------------------------
PUBLIC_CHECKS: dict | None = None
"""This notebook's public checks ({format, assignment, student, exercises: {key: {title, params,
checks}}}), set by the notebook's dlcheck cell when it defines this module (nothing is read from disk)."""


def _public_checks(checks: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if checks is not None:
        return checks
    if PUBLIC_CHECKS is None:
        raise RuntimeError("the public checks are not loaded: run the notebook's first code cell "
                           "(it defines dlcheck and your public checks), then this cell again")
    return PUBLIC_CHECKS


def run_public_checks(key: str, namespace: Mapping[str, Any], *,
                      checks: Mapping[str, Any] | None = None) -> list[tuple[str, Outcome, float]]:
    """Run the public checks of exercise ``key`` on the notebook's functions; never raises for a wrong answer.

    ``checks`` defaults to :data:`PUBLIC_CHECKS`. Returns (check name, outcome, points) per check.
    """
    exercise = _public_checks(checks)["exercises"][key]
    student = LocalStudent(namespace)
    results = []
    for spec in exercise["checks"]:
        scope: dict[str, Any] = {"np": np}
        scope.update({name: globals()[name] for name in _CHECK_API})
        exec(compile(spec["source"], f"<check {spec['name']}>", "exec"), scope)
        fixtures = {"student": student, "ref": ReplayRef(spec["calls"]),
                    "params": from_jsonable(exercise["params"])}
        outcome = run_check(scope[spec["name"]], fixtures)
        results.append((spec["name"], outcome, spec["points"]))
    return results


def check(key: str, namespace: Mapping[str, Any], *,
          checks: Mapping[str, Any] | None = None) -> list[tuple[str, Outcome, float]]:
    """The check cell: run the public checks of exercise ``key``, print the report, fail if any failed.

    Prints what went wrong and how to fix it, then raises :class:`AssertionError`
    whose message is :func:`summary` when a public check did not pass (an
    unwritten stub included), so "Run All" and ``nbgrader validate`` show the
    cell as failed. Returns the results when every public check passed.
    """
    __tracebackhide__ = True  # IPython and pytest: the failure is the cell's, not this frame's
    results = run_public_checks(key, namespace, checks=checks)
    title = _public_checks(checks)["exercises"][key]["title"]
    print(report(title, results))
    if any(outcome.status != PASSED for _, outcome, _ in results):
        raise AssertionError(summary(title, results))
    return results


def summary(title: str, results: list[tuple[str, Outcome, float]]) -> str:
    """One line: how many public checks failed, and whether the exercise was attempted at all."""
    failed = [outcome for _, outcome, _ in results if outcome.status != PASSED]
    earned = sum(points for _, outcome, points in results if outcome.status == PASSED)
    total = sum(points for _, _, points in results)
    if failed and all(not outcome.attempted for outcome in failed):
        verdict = "not attempted yet (the answer cell still holds its stub)"
    else:
        verdict = f"{len(failed)} of {len(results)} public checks failed"
    return f"{title}: {verdict}; {earned:g}/{total:g} public points (see the report above)"


def report(title: str, results: list[tuple[str, Outcome, float]]) -> str:
    """A short text report of public check results, as shown under a check cell."""
    earned = sum(points for _, outcome, points in results if outcome.status == PASSED)
    total = sum(points for _, _, points in results)
    lines = [f"{title}: public checks {earned:g}/{total:g} points"]
    for name, outcome, points in results:
        mark = "✔" if outcome.status == PASSED else "✘"
        lines.append(f"  {mark} {name.removeprefix('test_').replace('_', ' ')} ({points:g} pt)")
        if outcome.status != PASSED:
            lines.extend("      " + line for line in outcome.message.splitlines())
            if outcome.hint:
                lines.append(f"      hint: {outcome.hint}")
    if results and earned < total:
        lines.append("  (hidden checks run when you hand in; passing these is a good sign, not a guarantee)")
    return "\n".join(lines)


_CHECK_API = ("CheckFailed", "NotAnswered", "expect_close", "expect_equal", "expect", "as_numbers", "show",
              "describe_type", "is_opaque", "expect_number", "expect_letters")
