"""Who is who: a person's name and time zone from their Feishu profile, a group's name; cached in memory.

Feishu's contact API (``contact/v3/users/:open_id``, with a contact permission) gives a person's ``name`` and
``country`` but no time zone or language field. So the time zone is the country's when the country has one
(China: Asia/Shanghai, Beijing time), else the team's; the language is the Feishu client's locale from the
message's user agent (permission im:user_agent:read), else the team's. A date picker's press says the device's
zone, which wins. Without the contact permission a person is known by open_id and by the name others' mentions
gave them; the bot keeps working and asks the contact API again only after a while.
"""

from __future__ import annotations

import functools
import logging
import time
from importlib import resources

from bot.feishu.api import FeishuApi, FeishuError
from handlers.messages import Sender

log = logging.getLogger(__name__)

TTL = 6 * 3600.0  # seconds a profile is kept (names and countries rarely change)
MISS_TTL = 600.0  # seconds before a failed look-up is tried again
# China keeps one official time for the whole country; zone.tab also lists Asia/Urumqi (Xinjiang time)
OFFICIAL = {"CN": "Asia/Shanghai"}


@functools.cache
def _zones_by_country() -> dict[str, list[str]]:
    """Country code -> its zones, from the IANA zone.tab shipped with tzdata (or the system's)."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        try:
            with open("/usr/share/zoneinfo/zone.tab", encoding="utf-8") as f:
                text = f.read()
        except OSError:
            return {}
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            zones.setdefault(parts[0].upper(), []).append(parts[2].strip())
    return zones


def zone_of_country(country: str | None) -> str | None:
    """The time zone of a country that has one (``CN`` -> Asia/Shanghai, ``SG`` -> Asia/Singapore); else None."""
    code = (country or "").strip().upper()
    if not code:
        return None
    if code in OFFICIAL:
        return OFFICIAL[code]
    zones = _zones_by_country().get(code, [])
    return zones[0] if len(zones) == 1 else None


class Directory:
    """Profiles of people and names of groups, looked up once per ``ttl`` seconds."""

    def __init__(self, ttl: float = TTL, miss_ttl: float = MISS_TTL) -> None:
        self.ttl = ttl
        self.miss_ttl = miss_ttl
        self._people: dict[str, tuple[float, str, str | None]] = {}  # open_id -> (until, name, zone)
        self._chats: dict[str, tuple[float, str]] = {}

    async def sender(self, api: FeishuApi, open_id: str, *, locale: str | None = None,
                     timezone: str | None = None) -> Sender:
        """The person as the core sees them: open_id, name and zone from the profile, the client's language."""
        now = time.monotonic()
        found = self._people.get(open_id)
        if found is None or found[0] < now:
            try:
                user = await api.user(open_id)
            except FeishuError as exc:
                # 99991672: the app may not read contacts; 41050: this person is outside its contact range
                log.info("feishu: no profile for %s (%s); using the team's settings", open_id, exc)
                found = (now + self.miss_ttl, found[1] if found else "", found[2] if found else None)
            else:
                found = (now + self.ttl, str(user.get("name") or user.get("en_name") or ""),
                         zone_of_country(user.get("country") if isinstance(user.get("country"), str) else None))
            self._people[open_id] = found
        _, name, zone = found
        return Sender(user_id=open_id, handle=None, display_name=name, language=locale,
                      timezone=timezone or zone)

    async def chat_name(self, api: FeishuApi, chat_id: str) -> str:
        """A group's name ('' when Feishu will not say)."""
        now = time.monotonic()
        found = self._chats.get(chat_id)
        if found is None or found[0] < now:
            try:
                data = await api.chat(chat_id)
            except FeishuError as exc:
                log.info("feishu: no name for chat %s (%s)", chat_id, exc)
                found = (now + self.miss_ttl, found[1] if found else "")
            else:
                found = (now + self.ttl, str(data.get("name") or ""))
            self._chats[chat_id] = found
        return found[1]
