"""Reminder planning, the dispatch pass and APScheduler wiring."""
