"""Showing plans and drift to people (rich) and to machines (JSON)."""
