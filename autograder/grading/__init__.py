"""autograder.grading (see the follow-up commit for what lives here)."""
