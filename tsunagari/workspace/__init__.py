"""The members' workspace: what signed-in people of a platform see and do (issue 5)."""
