"""autograder.cli (see the follow-up commit for what lives here)."""
