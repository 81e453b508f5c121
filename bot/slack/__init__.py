"""The Slack front door: slash command, mentions, DMs, buttons, modals and the Home tab (slack-bolt, asyncio).

Modules: ``translate`` (payload -> neutral message), ``render`` (Reply -> Block Kit), ``surfaces`` (modals,
Home tab), ``outbox`` (where replies go), ``identity`` (users.info cache), ``notifier`` (reminders),
``app`` (listeners), ``platform`` (start/stop in HTTP or Socket Mode).
"""
