"""Held-out phrasings (not in the public set) against the public set's team: the README form each is read as.

Each row was first typed by a tester who had not seen the reader; a row fails when the reading changes.
"""

from __future__ import annotations

import pytest

from handlers.core import Core
from tests.chat import Chat
from tests.handlers.test_commands_public import NOW, PREAMBLE

ROWS = [
    ("amy", "HT-2027-103 renewed for another year at 36k USD", "renew HT-2027-103 to 2028-03-31 amount 36,000 USD"),
    ("李雷", "HT-2027-102 续约到 2028年9月30日，金额 160万", "续约 HT-2027-102 至 2028-09-30 金额 1,600,000"),
    ("amy", "Northwind sent 5k USD today", "paid HT-2027-103 5,000 USD on 2027-01-13"),
    ("amy", "remind me 14, 7 and 1 days before HT-2027-101 final payment", "remind HT-2027-101 final payment 14,7,1"),
    ("李雷", "延后提醒 HT-2027-102 首付款 到 1月20日", "延后 HT-2027-102 首付款 到 2027-01-20"),
    ("amy", "log 1.2 million received on HT-2027-101 note wire ref 8891",
     "paid HT-2027-101 1,200,000 note wire ref 8891"),
    ("amy", "got $12.5k from Northwind on 1/12", "paid HT-2027-103 12,500 USD on 2027-01-12"),
    ("amy", "add a note to HT-2027-101 first payment: customer says PO is delayed",
     "note HT-2027-101 first payment: customer says PO is delayed"),
    ("amy", "can we move Contoso's first payment to Jan 20? customer asked",
     "change HT-2027-101 first payment due 2027-01-20 reason customer asked"),
    ("amy", "typo: counterparty on HT-2027-103 should be Northwind Traders Ltd",
     "edit HT-2027-103 counterparty Northwind Traders Ltd"),
    ("amy", "write off the rest of HT-2027-101 first payment, reason: goodwill discount",
     "waive HT-2027-101 first payment reason goodwill discount"),
    ("amy", "make @ben a viewer", "role @ben viewer"),
    ("李雷", "把 HT-2027-102 的交付验收节点勾掉", "完成 HT-2027-102 交付验收"),
    ("李雷", "申请把 HT-2027-102 的尾款改成 50万", "变更 HT-2027-102 尾款 金额 500,000"),
    ("李雷", "删掉 HT-2027-102 的交付验收节点，原因 合并到尾款", None),
    ("李雷", "首付款到了，京东，60万", "回款 HT-2027-102 600,000 节点 首付款"),
    ("李雷", "HT-2027-102 首付款 下周再说", "延后 HT-2027-102 首付款 到 2027-01-18"),
    ("amy", "how are collections this year?", "report this year"),
    ("amy", "how did @ben do this quarter?", "report @ben this quarter"),
    ("amy", "how did ben do this quarter?", "report ben this quarter"),
    ("李雷", "上季度表现如何", "报表 上季度"),
    ("李雷", "HT-2027-192 新合同 华为技术有限公司 云桌面项目 金额150万元 签订日期2027年1月5日 到期日2027年12月31日",
     "新建 HT-2027-192 \"云桌面项目\" \"华为技术有限公司\" 1,500,000 CNY 到期 2027-12-31 签订 2027-01-05"),
]


@pytest.fixture
def chat(engine) -> Chat:  # type: ignore[no-untyped-def]
    c = Chat(Core(engine, clock=lambda: NOW, default_timezone="Asia/Shanghai"))
    for user, line in PREAMBLE:
        c.say(line, user=user)
    return c


@pytest.mark.parametrize(("user", "phrase", "reading"), ROWS, ids=[str(i) for i in range(len(ROWS))])
def test_held_out_phrasing_is_read_as(chat: Chat, user: str, phrase: str, reading: str | None) -> None:
    out = chat.say(phrase, user=user)
    assert "⚠️" not in out, out
    if reading is not None:
        assert out.splitlines()[0] in (f"Read as: {reading}", f"理解为：{reading}"), out


def test_questions_never_write(chat: Chat) -> None:
    before = [(m.title, m.status) for m in chat.milestones()]
    for q in ("京东的首付款到账了没", "is the HT-2027-101 delivery acceptance done?", "HT-2027-102 首付款收到了吗"):
        out = chat.say(q, user="李雷")
        assert "Read as" not in out and "理解为" not in out, out
    assert [(m.title, m.status) for m in chat.milestones()] == before
