"""What an exercise's catalogue of named mistakes holds (autograder/course/catalogue.py)."""
from autograder.course.catalogue import catalogue_of
from exercises.model import get_exercise


def test_the_catalogue_reads_the_mistakes_of_exact_comparisons():
    """Are the ``mistakes=`` hints of ``expect_equal`` calls (written in the call, or built by a helper) named
    mistakes of the exercise, and is a check's own hint still not one?"""
    exercise = get_exercise("a5.early_stopping")
    catalogue = catalogue_of(exercise)
    written = "The epoch is negative: return the 0-based index itself."  # in test_your_curve's expect_equal
    by_helper = "min_delta is added: an improvement must beat best − min_delta, so a small rise is no improvement."
    assert {written, by_helper} <= set(catalogue.mistakes)
    assert catalogue.names(written) and catalogue.names(by_helper)
    assert not catalogue.names(exercise.checks[-1].hint)
