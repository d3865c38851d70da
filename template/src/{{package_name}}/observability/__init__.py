"""Logs, metrics and traces: configured once at start-up, used by the middleware in app.py."""
