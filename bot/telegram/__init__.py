"""The Telegram front door: python-telegram-bot updates in, HTML replies and inline keyboards out.

Modules: ``translate`` (Update -> neutral message), ``render`` (Reply -> HTML + keyboard), ``send``
(post and edit), ``app`` (handlers), ``menu`` (setMyCommands), ``limits`` (flood control), ``notifier``
(reminders), ``webhook`` and ``platform`` (start/stop inside the shared asyncio loop).
"""
