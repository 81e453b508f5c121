"""Feishu (Lark) as a front door: each group is its own team, a private chat works across the person's teams.

Events and card actions come over HTTP to ``/feishu/events`` (bot.feishu.intake: verified, stored in the inbox,
then acknowledged); workers apply them through the core (bot.feishu.apply) and queue the replies as interactive
cards in the reply outbox (bot.feishu.outbox), charts and files following their card as image and file messages
(bot.feishu.uploads); reminders go out through bot.feishu.notifier. A ledger sent to the bot as a file is paired
with ``导入`` and downloaded for the core (bot.feishu.downloads). The open platform is called over aiohttp
(bot.feishu.api); lark-oapi decrypts encrypted events (bot.feishu.security).
"""
