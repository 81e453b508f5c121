"""The Slack front door: slash command, mentions, DMs, buttons, modals and the Home tab (slack-bolt, asyncio).

Modules: ``intake`` (signature check, then the inbox, then bolt), ``translate`` (payload -> neutral message),
``render`` (Reply -> Block Kit, within Slack's limits), ``surfaces`` (modals, Home tab), ``outbox`` (where
replies go), ``identity`` (users.info cache), ``notifier`` (reminders), ``app`` (listeners), ``platform``
(start/stop in HTTP or Socket Mode), ``oauth`` (/slack/install and /slack/oauth_redirect) and ``installations``
(each workspace's bot token, in OAuth mode).
"""
