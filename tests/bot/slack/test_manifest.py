"""manifest.yml is a valid Slack app manifest and asks Slack for exactly what the code uses.

The file is read with a YAML parser and checked against typed models of Slack's app manifest schema (the parts
of schemas/manifest.schema.1.0.0.json in github.com/slackapi/manifest-schema that the manifest uses: the same
property names, required fields, lengths, patterns and ``additionalProperties: false``). The scopes are then
derived from the code: every Web API method a Slack client is called with in bot/ must be listed below with
the scope it needs, and the manifest must ask for those scopes and no others.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from bot.slack.app import COMMAND
from bot.slack.oauth import BOT_EVENTS, BOT_SCOPES, REDIRECT_PATH

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = ROOT / "manifest.yml"

HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://", max_length=3500)]
Name50 = Annotated[str, StringConstraints(max_length=50)]


class Strict(BaseModel):
    """``additionalProperties: false`` and no type coercion (YAML's "yes" is not a boolean here)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class DisplayInformation(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=35)]
    description: Annotated[str, StringConstraints(min_length=1, max_length=140)] | None = None
    background_color: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")] | None = None
    long_description: Annotated[str, StringConstraints(min_length=175, max_length=4000)] | None = None


class AppHome(Strict):
    home_tab_enabled: bool | None = None
    messages_tab_enabled: bool | None = None
    messages_tab_read_only_enabled: bool | None = None


class BotUser(Strict):
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    always_online: bool | None = None


class SlashCommand(Strict):
    command: Annotated[str, StringConstraints(min_length=2, max_length=32, pattern=r"^/")]
    description: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    url: Annotated[str, StringConstraints(pattern=r"^https?://", max_length=3000)] | None = None
    usage_hint: Annotated[str, StringConstraints(min_length=1, max_length=1000)] | None = None
    should_escape: bool = False


class Features(Strict):
    app_home: AppHome | None = None
    bot_user: BotUser | None = None
    slash_commands: Annotated[list[SlashCommand], Field(min_length=1, max_length=50)] | None = None


class Scopes(Strict):
    bot: Annotated[list[Name50], Field(max_length=255)] | None = None
    user: Annotated[list[Name50], Field(max_length=255)] | None = None
    bot_optional: Annotated[list[Name50], Field(max_length=255)] | None = None
    user_optional: Annotated[list[Name50], Field(max_length=255)] | None = None


def _unique(values: list[str] | None) -> list[str] | None:
    if values is not None and len(set(values)) != len(values):
        raise ValueError("items must be unique")
    return values


class OAuthConfig(Strict):
    redirect_urls: Annotated[list[Annotated[str, StringConstraints(max_length=2500)]], Field(max_length=1000)] | None = None
    scopes: Scopes | None = None
    token_management_enabled: bool | None = None
    pkce_enabled: bool | None = None

    _unique_urls = field_validator("redirect_urls")(_unique)


class EventSubscriptions(Strict):
    request_url: HttpUrl | None = None
    bot_events: Annotated[list[Name50], Field(max_length=100)] | None = None
    user_events: Annotated[list[Name50], Field(max_length=100)] | None = None

    _unique_events = field_validator("bot_events", "user_events")(_unique)


class Interactivity(Strict):
    is_enabled: bool
    request_url: HttpUrl | None = None
    message_menu_options_url: HttpUrl | None = None


class AppSettings(Strict):
    allowed_ip_address_ranges: list[str] | None = None
    event_subscriptions: EventSubscriptions | None = None
    interactivity: Interactivity | None = None
    org_deploy_enabled: bool | None = None
    socket_mode_enabled: bool | None = None
    is_hosted: bool | None = None
    token_rotation_enabled: bool | None = None


class Manifest(Strict):
    display_information: DisplayInformation
    features: Features | None = None
    oauth_config: OAuthConfig | None = None
    settings: AppSettings | None = None


def manifest() -> Manifest:
    return Manifest.model_validate(yaml.safe_load(MANIFEST.read_text(encoding="utf-8")))


# Each Web API method the code calls on a Slack client, with the bot scope it needs (None: none).
# files_upload_v2 calls files.getUploadURLExternal and files.completeUploadExternal; downloading a file a
# person shared (bot/slack/downloads.py, url_private with the bot token) needs files:read too.
METHOD_SCOPES: dict[str, str | None] = {
    "chat_postMessage": "chat:write", "chat_postEphemeral": "chat:write", "chat_update": "chat:write",
    "conversations_open": "im:write", "files_info": "files:read", "files_upload_v2": "files:write",
    "users_info": "users:read", "views_open": None, "views_publish": None,
    "send_socket_mode_response": None,  # the Socket Mode client's acknowledgement, not a Web API method
}
EVENT_SCOPES: dict[str, str | None] = {"app_mention": "app_mentions:read", "message.im": "im:history",
                                       "app_home_opened": None, "app_uninstalled": None, "tokens_revoked": None}
DOWNLOAD_SCOPE = "files:read"


def client_calls() -> set[str]:
    """Methods called on anything named ``client`` (``client.x(...)``, ``self.client.x(...)``) in bot/."""
    found: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
                if name == "client":
                    found.add(node.func.attr)
    return found


def test_manifest_is_a_valid_app_manifest() -> None:
    m = manifest()
    assert m.display_information.name == "ContractBot"


def test_manifest_matches_the_app() -> None:
    m = manifest()
    assert m.features is not None and m.settings is not None and m.oauth_config is not None
    [command] = m.features.slash_commands or []
    assert command.command == COMMAND
    assert command.should_escape  # mentions arrive as <@U…|name>
    assert m.features.app_home is not None and m.features.app_home.home_tab_enabled
    assert m.settings.interactivity is not None and m.settings.interactivity.is_enabled
    assert m.settings.socket_mode_enabled is True and m.settings.org_deploy_enabled is False
    assert m.settings.event_subscriptions is not None
    assert m.settings.event_subscriptions.bot_events == list(BOT_EVENTS)
    # OAuth mode: the redirect URL placeholder is the path bolt's flow serves
    assert [url.rsplit("/", 2)[-2:] for url in m.oauth_config.redirect_urls or []] == [REDIRECT_PATH.split("/")[1:]]
    assert all(url.startswith("https://") for url in m.oauth_config.redirect_urls or [])


def test_the_scopes_are_exactly_what_the_code_uses() -> None:
    calls = client_calls()
    unknown = calls - METHOD_SCOPES.keys()
    assert not unknown, f"say which scope {sorted(unknown)} need(s) in METHOD_SCOPES"
    needed = {METHOD_SCOPES[m] for m in calls} | {EVENT_SCOPES[e] for e in BOT_EVENTS} | {"commands", DOWNLOAD_SCOPE}
    needed.discard(None)
    m = manifest()
    assert m.oauth_config is not None and m.oauth_config.scopes is not None
    asked = m.oauth_config.scopes.bot or []
    assert set(asked) == needed, f"unused: {set(asked) - needed}, missing: {needed - set(asked)}"
    assert len(asked) == len(set(asked))
    assert tuple(asked) == BOT_SCOPES  # what /slack/install asks for is what the manifest declares
    assert not m.oauth_config.scopes.user  # no user tokens


def test_the_schema_models_refuse_what_slack_refuses() -> None:
    """The typed check is not a rubber stamp: unknown keys, wrong types and too-long names fail."""
    good = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    for broken in (
        {**good, "setings": {}},
        {**good, "display_information": {**good["display_information"], "name": "x" * 36}},
        {**good, "settings": {**good["settings"], "interactivity": {"is_enabled": "yes"}}},
        {**good, "features": {**good["features"], "slash_commands": [{"command": "contract", "description": "x"}]}},
        {**good, "oauth_config": {**good["oauth_config"], "redirect_urls": ["https://a/x", "https://a/x"]}},
    ):
        try:
            Manifest.model_validate(broken)
        except ValueError:
            continue
        raise AssertionError(f"accepted: {broken}")
