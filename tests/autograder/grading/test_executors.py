"""The one submit/as-completed loop of grading (autograder.grading.executors)."""
from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Callable, Sequence

from autograder.grading.executors import MIN_WINDOW, InProcess, in_completion_order


class RecordingExecutor:
    """Futures resolved at once; records how many jobs were in flight at each submit."""

    slots = 2

    def __init__(self) -> None:
        self.in_flight = 0
        self.most_in_flight = 0

    def submit(self, function: Callable[[Any], Any], job: Any) -> Future:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        future: Future = Future()
        future.set_result(function(job))
        return future

    def first_completed(self, futures: Sequence[Future]) -> Sequence[Future]:
        self.in_flight -= 1
        return futures[:1]


def test_jobs_in_flight_are_bounded_and_made_when_submitted() -> None:
    """With many more items than the window, are at most the window's jobs in flight (each holds a
    hand-in's bytes), is each job made only when it is submitted, and is every item yielded once?"""
    executor = RecordingExecutor()
    made: list[int] = []
    items = list(range(5 * MIN_WINDOW))
    seen = []
    for item, future in in_completion_order(executor, lambda job: job * 10, items,
                                            lambda item: made.append(item) or item):
        seen.append(item)
        assert future.result() == item * 10
        assert len(made) - len(seen) < MIN_WINDOW
    assert sorted(seen) == items and made == items
    assert executor.most_in_flight == MIN_WINDOW


def test_in_process_runs_jobs_in_order() -> None:
    """Does the in-process executor run the jobs in the order they were submitted?"""
    ran: list[int] = []
    done = [item for item, future in in_completion_order(InProcess(), lambda job: ran.append(job) or job,
                                                         [3, 1, 2], lambda item: item)
            if future.result() == item]
    assert done == [3, 1, 2] and ran == [3, 1, 2]
