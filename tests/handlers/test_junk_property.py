"""Property: junk typed into a valid command is never glued into the ledger.

For random junk (a broken number, a non-number, a half date) inserted anywhere into a valid command, either the
effect is exactly the valid command's and the reply names the junk, or nothing at all is written.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.core import Core
from tests.chat import Chat
from tests.handlers.test_commands_public import _state

NOW = datetime(2027, 1, 13, 2, 0, tzinfo=UTC)
JUNK = ["1e30", "NaN", "inf", "12.345.678", "0x1F", "负100", "yesterday-ish", "-5", "1.2.3", "3e-7", "Infinity",
        "负一百万", "-20万"]
VALID = [
    'milestone HT-1 kickoff due 2027-02-01 owner @amy',
    'milestone HT-1 "go live" 30% due 2027-03-01',
    "节点 HT-1 中期款 20% 2027-02-15 @李雷",
    "done HT-1 first payment",
    "paid HT-1 100,000 on 2027-01-10 for first payment",
    'new HT-9 "Data lake" Fabrikam Ltd 500,000 CNY ends 2027-12-31 owner @amy',
    "新建 HT-8 视频会议 腾讯科技有限公司 80万 到期 2027-12-31",
    "snooze HT-1 first payment 3d",
    "reassign HT-1 first payment @ben",
    "change HT-1 first payment due 2027-02-20 reason customer asked",
    "HT-1 首付款 推迟到2月20日",
    "Contoso wired 100,000 today for the first payment on HT-1",
]
PREAMBLE = [
    'new HT-1 "Contoso ERP" Contoso Ltd 1,000,000 CNY ends 2027-12-31 owner @amy',
    "milestone HT-1 first payment 30% due 2027-01-20 owner @amy",
]
_teams = itertools.count()


def _fresh(chat: Chat) -> str:
    team = f"team-{next(_teams)}"
    for line in PREAMBLE:
        assert "⚠️" not in chat.say(line, user="amy", team=team)
    return team


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(VALID), junk=st.sampled_from(JUNK), where=st.integers(min_value=1, max_value=30))
def test_junk_is_named_or_nothing_is_written(engine, command: str, junk: str, where: int) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(Core(engine, clock=lambda: NOW, default_timezone="Asia/Shanghai"))
    reference = _fresh(chat)
    chat.say(command, user="amy", team=reference)
    expected = _state(chat, reference)
    team = _fresh(chat)
    before = _state(chat, team)
    words = command.split(" ")
    # a reason is free text: words typed into it belong to it, so junk goes before it
    free = words.index("reason") if "reason" in words else len(words)
    at = min(where, free)
    typed = " ".join([*words[:at], junk, *words[at:]])
    out = chat.say(typed, user="amy", team=team)
    after = _state(chat, team)
    if after == before:
        assert "⚠️" in out or (chat.last and chat.last[0].actions), (typed, out)
        return
    assert after == expected, (typed, out)
    assert junk in out, (typed, out)
