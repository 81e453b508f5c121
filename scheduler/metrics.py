"""What the scheduler counts (Prometheus default registry): messages sent, failures and 429s per platform, passes.

``kind`` says what was being sent: ``reminder`` (a reminder row), ``notice`` (telling an owner a reminder
could not be delivered) or ``digest``. Both labels take a handful of values, never ids or text.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SENDS = Counter("contractbot_sends", "Messages delivered to a platform, by platform and kind", ["platform", "kind"])
SEND_FAILURES = Counter(
    "contractbot_send_failures",
    "Messages a platform refused or that failed on the way (not 429s), by platform and kind", ["platform", "kind"],
)
RATE_LIMITED = Counter("contractbot_rate_limited", "429 answers (Retry-After) from a platform, by platform",
                       ["platform"])
DISPATCH_PASSES = Counter("contractbot_dispatch_passes", "Dispatch passes run")
DISPATCH_DURATION = Histogram(
    "contractbot_dispatch_pass_seconds", "How long one dispatch pass took, sends included",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
)
