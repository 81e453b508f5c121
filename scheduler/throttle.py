"""Client-side flood control, so steady-state sending never meets a 429.

Each key (the platform overall, one chat, one group) has the earliest instant its next message may go.
A send reserves a slot on all its keys at once; a wait longer than the caller accepts is not reserved and
the reminder is deferred instead (delayed, never dropped).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from scheduler.platforms import Limits, traits

# Keep a little under the limits: the send happens a moment after the slot is reserved, and the
# platform measures from when it receives the message.
MARGIN = 1.04


class Throttle:
    """Spaces messages out per platform, per chat and per group."""

    def __init__(self, limits: dict[str, Limits] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits  # None: each platform's own, from its registered traits
        self.clock = clock
        self._next: dict[tuple[str, ...], float] = {}
        self._lock = threading.Lock()

    def _keys(self, platform: str, chat: str, group: bool) -> list[tuple[tuple[str, ...], float]]:
        lim = traits(platform).limits if self.limits is None else self.limits.get(platform)
        if lim is None:
            return []
        keys: list[tuple[tuple[str, ...], float]] = []
        if lim.overall_per_s:
            keys.append(((platform,), MARGIN / lim.overall_per_s))
        if lim.per_chat_per_s:
            keys.append(((platform, "chat", chat), MARGIN / lim.per_chat_per_s))
        if group and lim.per_group_per_min:
            keys.append(((platform, "group", chat), MARGIN * 60.0 / lim.per_group_per_min))
        return keys

    def reserve(self, platform: str, chat: str, *, group: bool = False, max_wait: float = 2.0) -> float | None:
        """Seconds to wait before sending (slot reserved), or None when the wait would exceed max_wait."""
        keys = self._keys(platform, chat, group)
        if not keys:
            return 0.0
        with self._lock:
            now = self.clock()
            at = max([now, *(self._next.get(k, now) for k, _ in keys)])
            if at - now > max_wait:
                return None
            for k, spacing in keys:
                self._next[k] = at + spacing
            return at - now

    def delay(self, platform: str, chat: str, *, group: bool = False) -> float:
        """Seconds until a message to this chat could go (nothing reserved)."""
        keys = self._keys(platform, chat, group)
        with self._lock:
            now = self.clock()
            return max([0.0, *(self._next.get(k, now) - now for k, _ in keys)])
