"""Tests of the autograder package."""
