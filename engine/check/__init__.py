"""What can happen in a story: exploration, what can never happen, what is shown
to happen, dead ends and never-shown text."""
