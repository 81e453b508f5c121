"""Settings from the environment and .env (mirrored line by line in .env.example)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator
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

    # the bot's own small web server (calendar feeds at /calendar/<token>.ics, /healthz): the address people's
    # calendar apps reach it at, and the port it listens on (0 or empty: no server); `contractbot run` only
    public_url: str = Field(default="http://localhost:8080",
                            validation_alias=AliasChoices("contractbot_public_url", "public_url"))
    http_port: int | None = Field(default=8080, validation_alias=AliasChoices("contractbot_http_port", "http_port"))
    http_host: str = Field(default="0.0.0.0", validation_alias=AliasChoices("contractbot_http_host", "http_host"))

    @field_validator("http_port", mode="before")
    @classmethod
    def _empty_port_is_off(cls, value: object) -> object:
        """CONTRACTBOT_HTTP_PORT= (empty) turns the server off, like 0."""
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def slack_enabled(self) -> bool:
        """Slack runs when a bot token is set."""
        return bool(self.slack_bot_token)

    @property
    def telegram_enabled(self) -> bool:
        """Telegram runs when a bot token is set."""
        return bool(self.telegram_bot_token)

    @property
    def http_enabled(self) -> bool:
        """The web server runs when a port is set (not 0, not empty)."""
        return bool(self.http_port)


def load_settings(**overrides: object) -> Settings:
    """Build the settings now (never at import time), with explicit overrides winning."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
