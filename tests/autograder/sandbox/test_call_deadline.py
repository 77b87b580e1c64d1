"""A call's two-step deadline: ``first`` seconds, then ``then()`` asked only for a call still running."""
from __future__ import annotations

import pytest

from autograder.sandbox.handle import CallDeadline, Limits, StudentWorker
from exercises.dlcheck import StudentTimeout

CELL = "import time\ndef nap(seconds):\n    time.sleep(seconds)\n    return seconds\n"


@pytest.fixture
def worker():
    with StudentWorker(Limits(call_timeout=30.0), sandbox="none") as started:
        started.run_cells([CELL])
        yield started


def test_a_call_past_first_gets_the_time_then_gives(worker):
    """Does a call still running after `first` get the rest of then()'s seconds, asked once?"""
    asked = []
    worker.call_timeout = CallDeadline(0.2, lambda: asked.append(1) or 5.0)
    assert worker.call("nap", 0.6) == 0.6
    assert asked == [1]


def test_a_quick_call_never_asks(worker):
    """Is then() left uncalled when the call finishes within `first`?"""
    worker.call_timeout = CallDeadline(5.0, lambda: pytest.fail("then() was asked for a quick call"))
    assert worker.call("nap", 0.0) == 0.0


def test_then_no_longer_than_first_times_out_at_first(worker):
    """When then() gives no more than `first`, is the call timed out at `first`, and the message says so?"""
    worker.call_timeout = CallDeadline(0.2, lambda: 0.1)
    with pytest.raises(StudentTimeout, match="within 0.2 s"):
        worker.call("nap", 10)


def test_a_call_past_then_is_timed_out_at_then(worker):
    """Is a call that outlasts then()'s seconds timed out, the message naming them?"""
    worker.call_timeout = CallDeadline(0.1, lambda: 0.4)
    with pytest.raises(StudentTimeout, match="within 0.4 s"):
        worker.call("nap", 10)


def test_a_large_argument_sent_across_the_first_deadline_reaches_the_worker_whole(worker):
    """When sending a call's arguments (32 MB) takes longer than its first deadline (a loaded machine,
    a large test input), is the request still sent whole, so the call gets then()'s time and returns
    its value, instead of the worker waiting for the rest of the frame until the call times out?"""
    import numpy as np

    worker.run_cells(["def total(x):\n    return float(x.sum())\n"])
    worker.call_timeout = CallDeadline(0.001, lambda: 5.0)
    assert worker.call("total", np.ones(4_000_000)) == 4_000_000.0
