"""Slack adapter tests: signed requests against the app, a fake Slack Web API behind it."""
