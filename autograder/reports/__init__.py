"""autograder.reports (see the follow-up commit for what lives here)."""
