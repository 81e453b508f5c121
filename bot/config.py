"""Settings from the environment and .env (mirrored line by line in .env.example)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the bot; platforms are enabled by the presence of their tokens."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///contractbot.db"
    default_timezone: str = "Asia/Shanghai"
    default_currency: str = "CNY"
    default_language: str = "en"
    log_level: str = "WARNING"
    dispatch_interval_seconds: int = 30
    # where the console saves chart pictures (created when missing), from CONTRACTBOT_REPORTS_DIR; the
    # field's own name stays a second choice so that Settings(reports_dir=...) works (and so does REPORTS_DIR)
    reports_dir: str = Field(default="reports",
                             validation_alias=AliasChoices("contractbot_reports_dir", "reports_dir"))

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    port: int = 3000

    telegram_bot_token: str | None = None
    telegram_api_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_webhook_path: str = "/telegram/webhook"
    telegram_webhook_port: int | None = None

    @property
    def slack_enabled(self) -> bool:
        """Slack runs when a bot token is set."""
        return bool(self.slack_bot_token)

    @property
    def telegram_enabled(self) -> bool:
        """Telegram runs when a bot token is set."""
        return bool(self.telegram_bot_token)


def load_settings(**overrides: object) -> Settings:
    """Build the settings now (never at import time), with explicit overrides winning."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
