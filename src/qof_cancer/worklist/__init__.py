"""Worklists, forecast and messages: what to do next (issue: Act on it)."""
