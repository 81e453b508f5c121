"""Slack Web API clients built from the settings: token, SLACK_API_URL, and a 429 retry handler.

In OAuth mode the clients built here carry no token of their own: bolt gives each request a client on its
workspace's token, and the notifier asks for one per workspace (``token=``).
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings

DEFAULT_API_URL = "https://slack.com/api/"


def api_url(settings: Settings) -> str:
    """SLACK_API_URL (e.g. a local fake) or Slack's; slack_sdk joins method names, so it must end in '/'."""
    url = settings.slack_api_url or DEFAULT_API_URL
    return url if url.endswith("/") else url + "/"


def default_token(settings: Settings) -> str | None:
    """SLACK_BOT_TOKEN in single-workspace mode; none in OAuth mode (each workspace has its own)."""
    return None if settings.slack_oauth_enabled else settings.slack_bot_token


def make_web_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """A sync client for the dispatch pass (it runs in a worker thread), on ``token`` or the default one."""
    client = WebClient(token=token or default_token(settings), base_url=api_url(settings))
    # keep the default connection-error handler; add one retry after Retry-After on 429
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    return client


def make_async_web_client(settings: Settings) -> AsyncWebClient:
    """The asyncio client bolt copies for every request (and sets each workspace's token on, in OAuth mode)."""
    client = AsyncWebClient(token=default_token(settings), base_url=api_url(settings))
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    return client
