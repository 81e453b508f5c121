"""What the core counts and logs about each command: verb, outcome, latency (Prometheus default registry).

One ``observe_command`` block wraps each message or button press in ``handlers.core``; code inside it says
what it learnt with ``note`` (the verb once the line is read, the team once it is known, the outcome where
an error is turned into a reply). When the block ends the counters move and one INFO line is logged.

Labels stay bounded: the verb is a registry verb or one of a few fixed words, never text or an id; the
team's id is only in the log line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from prometheus_client import Counter, Histogram

from handlers.commands import REGISTRY
from handlers.understand import Question

log = logging.getLogger(__name__)

OUTCOMES = ("ok", "user_error", "refused", "asked", "internal_error")
# verbs that are not in the registry: free phrasing not (yet) read as a command, a line no command matches,
# an answer to a question about the ledger, the Slack Home tab, a button whose key is unknown or refused,
# a platform event delivered twice
OTHER_VERBS = ("free", "unknown", "answer", "home", "button", "duplicate")
VERBS = frozenset(spec.verb for spec in REGISTRY) | frozenset(OTHER_VERBS)

_VERB_OF_TYPE: dict[type, str] = {}
for _spec in REGISTRY:
    if _spec.command_type is not None:
        _VERB_OF_TYPE.setdefault(_spec.command_type, _spec.verb)
_VERB_OF_TYPE[Question] = "answer"

# a button's key -> the command it does the work of
_VERB_OF_BUTTON = {"done": "done", "snooze": "snooze", "snooze_date": "snooze", "reassign": "reassign",
                   "reassign_to": "reassign", "note": "note", "pay": "paid", "approve": "approve", "reject": "reject",
                   "page": "list"}

COMMANDS = Counter("contractbot_commands", "Commands and button presses handled, by verb and outcome",
                   ["verb", "outcome"])
COMMAND_LATENCY = Histogram(
    "contractbot_command_latency_seconds", "Time from a message reaching the core to its replies, by verb",
    ["verb"], buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


@dataclass
class Observation:
    """What is known so far about the command being handled."""

    platform: str
    verb: str = "unknown"
    outcome: str = "ok"
    tenant: int | None = None


_current: ContextVar[Observation | None] = ContextVar("contractbot_command", default=None)


def verb_of(command: object) -> str:
    """The registry verb of a parsed command ("free" for a type the registry does not know)."""
    return _VERB_OF_TYPE.get(type(command), "free")


def verb_of_button(action: str) -> str:
    """The verb a button press does the work of ("button" for a key the registry has no verb for)."""
    return _VERB_OF_BUTTON.get(action, "button")


def note(*, verb: str | None = None, outcome: str | None = None, tenant: int | None = None) -> None:
    """Record what was learnt about the current command (nothing happens outside ``observe_command``)."""
    seen = _current.get()
    if seen is None:
        return
    if verb is not None:
        seen.verb = verb if verb in VERBS else "unknown"
    if outcome is not None:
        seen.outcome = outcome if outcome in OUTCOMES else "internal_error"
    if tenant is not None:
        seen.tenant = tenant


@contextmanager
def observe_command(platform: str, verb: str = "unknown") -> Iterator[Observation]:
    """Time the block, then count it and log one line (an exception escaping it is an internal error)."""
    seen = Observation(platform=platform, verb=verb if verb in VERBS else "unknown")
    token = _current.set(seen)
    start = time.perf_counter()
    try:
        yield seen
    except BaseException:
        seen.outcome = "internal_error"
        raise
    finally:
        _current.reset(token)
        record(seen, time.perf_counter() - start)


def record(seen: Observation, seconds: float) -> None:
    """Move the counters and log the command's line."""
    COMMANDS.labels(verb=seen.verb, outcome=seen.outcome).inc()
    COMMAND_LATENCY.labels(verb=seen.verb).observe(seconds)
    log.info("command", extra={"event": "command", "tenant": seen.tenant, "verb": seen.verb,
                               "outcome": seen.outcome, "latency_ms": round(seconds * 1000, 1),
                               "platform": seen.platform})
