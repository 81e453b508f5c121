"""The Telegram front door: python-telegram-bot updates in, HTML replies and inline keyboards out.

Modules: ``intake`` (webhook route and getUpdates loop into the inbox, and applying what is stored),
``translate`` (Update -> neutral message), ``render`` (Reply -> HTML + keyboard, within Telegram's limits),
``send`` (replies as Bot API calls), ``outbox`` (replies stored, then sent by a loop that survives restarts),
``app`` (handlers), ``menu`` (setMyCommands), ``limits`` (flood control), ``notifier`` (reminders) and
``platform`` (start/stop inside the shared asyncio loop).
"""
