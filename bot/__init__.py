"""The edges: configuration, process wiring and one adapter per platform (console, Slack, Telegram)."""
