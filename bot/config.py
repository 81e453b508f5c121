"""Settings from the environment and .env (mirrored line by line in .env.example)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the bot; platforms are enabled by the presence of their tokens."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      populate_by_name=True)

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

    # The bot's one web server (`contractbot run`): Slack's /slack/events (HTTP mode), the Telegram webhook,
    # calendar feeds, /healthz and /metrics, all on PORT (0: any free port). CONTRACTBOT_HTTP_PORT, the name
    # the calendar feeds used before, is read as an alias of PORT.
    port: int = Field(default=3000, validation_alias=AliasChoices("port", "contractbot_http_port", "http_port"))
    http_host: str = Field(default="0.0.0.0", validation_alias=AliasChoices("contractbot_http_host", "http_host"))
    # the address people's calendar apps reach the server at (behind a proxy: the proxy's https address);
    # defaults to http://localhost:PORT
    public_url: str = Field(default="", validation_alias=AliasChoices("contractbot_public_url", "public_url"))

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    # OAuth mode (the app installed in many workspaces from /slack/install): on when the client id, the client
    # secret and the signing secret are set; each workspace's bot token is then kept in the database. The OAuth
    # state is signed with SLACK_STATE_SECRET when it is set (nothing stored), else kept in the database.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_state_secret: str | None = None

    telegram_bot_token: str | None = None
    telegram_api_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_webhook_path: str = "/telegram/webhook"
    # Telegram's flood limits as the bot paces itself (lower them if Telegram still answers 429)
    telegram_per_second: float = 30
    telegram_group_per_minute: float = 20
    telegram_chat_per_second: float = 1

    # Feishu (Lark): on when FEISHU_APP_ID is set. Events and card actions come to /feishu/events on PORT;
    # FEISHU_API_URL is the open platform (Lark: https://open.larksuite.com; tests: a fake server)
    feishu_app_id: str | None = None
    feishu_app_secret: str | None = None
    feishu_verification_token: str | None = None
    feishu_encrypt_key: str | None = None
    feishu_api_url: str = "https://open.feishu.cn"

    # E-mail reminders: on when SMTP_URL is set (smtp://user:pass@host:587 with STARTTLS, smtps://…:465 with
    # implicit TLS, no user: no login), sent from MAIL_FROM; their links are served on PORT at PUBLIC_URL
    smtp_url: str | None = None
    mail_from: str | None = None

    # How many chats' updates one process applies at once (each chat's in order); 0: this process only stores
    # what arrives (another process applies it)
    inbox_concurrency: int = 8
    # On SIGTERM: stop taking requests, finish what is in hand within this many seconds, keep the rest stored
    shutdown_grace_seconds: float = 10.0

    @field_validator("port", mode="before")
    @classmethod
    def _empty_port_is_default(cls, value: object) -> object:
        """PORT= (empty, as an old CONTRACTBOT_HTTP_PORT= line may still say) means the default port."""
        return 3000 if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _default_public_url(self) -> Settings:
        """No CONTRACTBOT_PUBLIC_URL: the server's own address on this machine."""
        if not self.public_url.strip():
            self.public_url = f"http://localhost:{self.port or 3000}"
        return self

    @property
    def http_port(self) -> int:
        """The web server's port (PORT); kept for callers of the old calendar-feed setting."""
        return self.port

    @property
    def slack_oauth_enabled(self) -> bool:
        """Slack installs in many workspaces (OAuth) when its client id, client secret and signing secret are set."""
        return bool(self.slack_client_id and self.slack_client_secret and self.slack_signing_secret)

    @property
    def slack_enabled(self) -> bool:
        """Slack runs with a bot token (one workspace) or in OAuth mode.

        Half an OAuth configuration (a client id or secret without the rest) also switches Slack on, so that
        start-up says what is missing instead of quietly leaving Slack off.
        """
        return bool(self.slack_bot_token or self.slack_client_id or self.slack_client_secret)

    @property
    def telegram_enabled(self) -> bool:
        """Telegram runs when a bot token is set."""
        return bool(self.telegram_bot_token)

    @property
    def email_enabled(self) -> bool:
        """Reminder e-mails go out when SMTP_URL is set (start-up then says what else is missing)."""
        return bool(self.smtp_url)

    @property
    def feishu_enabled(self) -> bool:
        """Feishu runs when an app id is set (start-up then says what else is missing)."""
        return bool(self.feishu_app_id)


def load_settings(**overrides: object) -> Settings:
    """Build the settings now (never at import time), with explicit overrides winning."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
