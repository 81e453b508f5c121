"""The console front door: the same commands as Slack and Telegram, typed in a terminal or piped in."""
