"""Cases found in review: HTML split safely, DMs to strangers fall back, forged mention markers."""
from __future__ import annotations

import re

import pytest

from bot.telegram.render import chunks, reply_html
from handlers.replies import Reply
from scheduler.notify import CannotDM, PermanentFailure
from tests.bot.telegram.conftest import ZHANGSAN
from tests.bot.telegram.test_notifier import notifier, to_user  # noqa: F401 (fixture)


def test_dm_never_started_chat_not_found_is_cannotdm(fake, notifier) -> None:  # noqa: F811
    # Telegram answers 400 "chat not found" for a user id the bot has never talked to
    fake.forget_chat(ZHANGSAN["id"])
    with pytest.raises(PermanentFailure) as e:
        notifier.send(to_user())
    assert isinstance(e.value, CannotDM), f"got {type(e.value).__name__}: {e.value} -> no group fallback"

def test_chunks_keep_html_valid() -> None:
    r = Reply(title="Note added", lines=[("Note: ", "<&>" * 1500)])
    parts = chunks(reply_html(r))
    bad = []
    for p in parts:
        # unbalanced entity at the end / start of a part, or an unclosed tag
        if re.search(r"&[a-z]{0,3}$", p) or re.match(r"^[a-z]{1,3};", p):
            bad.append(p[:10] + "…" + p[-10:])
    assert not bad, bad
