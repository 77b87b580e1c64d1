"""Where the student's code raised: the line of their own source a public check's message names."""
from __future__ import annotations

import linecache
import traceback

from hypothesis import given, settings
from hypothesis import strategies as st

from exercises.dlcheck import raised_at


def _short_traceback(code: str, cell: int, call: str) -> str:
    """The traceback the worker keeps when ``call`` raises (frames of the student's cells only),
    with the cell registered in linecache as the worker registers it."""
    filename = f"<cell {cell}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    namespace: dict = {}
    try:
        exec(compile(code, filename, "exec"), namespace)
        eval(call, namespace)
    except Exception as err:  # noqa: BLE001 - the student's error, as the worker catches it
        frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename.startswith("<cell")]
        return "".join(traceback.format_list(frames))
    raise AssertionError("the code was meant to raise")


@settings(max_examples=60, deadline=None)
@given(lines=st.integers(1, 12), raising=st.data(), cell=st.integers(0, 40),
       name=st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True))
def test_the_line_that_raised_is_named_with_its_source(lines, raising, cell, name):
    """For any function of any length raising on any of its lines, does raised_at name that line's
    number within the cell, the function and the line's own source text (no other line)?"""
    at = raising.draw(st.integers(1, lines))
    body = [f"    v{i} = {i}" if i != at else f"    v{i} = [{i}][{i}]  # raises" for i in range(1, lines + 1)]
    code = f"def {name}():\n" + "\n".join(body) + "\n    return 0\n"
    where = raised_at(_short_traceback(code, cell, f"{name}()"))
    assert where == f"line {at + 1} of its cell, in `{name}`: `v{at} = [{at}][{at}]  # raises`"


def test_the_innermost_student_frame_is_named():
    """When a student function raises inside another of theirs, is the innermost line named?"""
    code = "def outer(x):\n    return inner(x) + 1\n\ndef inner(x):\n    return x[5]\n"
    assert raised_at(_short_traceback(code, 2, "outer([1])")) == "line 5 of its cell, in `inner`: `return x[5]`"


def test_nothing_is_named_without_a_student_frame():
    """An empty traceback, or text that is not one, names no line (the message is then unchanged)."""
    assert raised_at("") == ""
    assert raised_at("ValueError: boom") == ""
