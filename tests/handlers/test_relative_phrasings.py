"""Due dates counted from an event, said the way people say them in chat, in both languages.

An audit of free phrasings (issue 17 B follow-up): 验收合格后30日内支付, 上线满12个月后, 验收一年后, net 30 after
acceptance, 12 months post go-live, acceptance + 30 days, changing a dated milestone to a rule (尾款改成验收后30天,
make the final payment due 30 days after acceptance). The words inside a rule name its event: 完成, 到账, signed,
received or 负责人 there never complete, pay, create or reassign anything. A rule that can't be taken as said
(about 30 days, 30 to 45 days, 验收后12个月或上线后6个月, 终验 when the contract has only 交付验收, an invoice)
writes nothing and says why, with an example.
Times: 2027-01-13 10:00 in Shanghai (02:00 UTC), the team state of the public command set.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from handlers import anchors
from handlers.core import Core
from handlers.relative import event_without_count, find_due_after
from storage.models import ChangeRequest, Milestone, Payment
from tests.chat import Chat
from tests.conftest import Clock

NOW = datetime(2027, 1, 13, 2, 0, tzinfo=UTC)

SETUP = [
    ("amy", 'new HT-2027-101 "Contoso ERP" Contoso Ltd 2,000,000 CNY ends 2027-12-31 owner @amy'),
    ("amy", "milestone HT-2027-101 first payment 30% due 2027-01-08 owner @amy"),
    ("amy", "milestone HT-2027-101 delivery acceptance due 2027-02-10 owner @ben"),
    ("amy", "milestone HT-2027-101 go-live due 2027-03-15 owner @ben"),
    ("amy", "milestone HT-2027-101 final payment 50% due 2027-06-30 owner @amy"),
    ("amy", "role @李雷 admin"),
    ("李雷", "新建 HT-2027-102 京东物流系统 京东 150万 到期 2027-09-30 负责人 @李雷"),
    ("李雷", "节点 HT-2027-102 首付款 40% 2027-01-10 @李雷"),
    ("李雷", "节点 HT-2027-102 交付验收 2027-02-20 @韩梅梅"),
    ("李雷", "节点 HT-2027-102 上线 2027-03-20 @韩梅梅"),
    ("李雷", "节点 HT-2027-102 尾款 40% 2027-05-31 @李雷"),
]


@pytest.fixture
def chat(engine) -> Chat:  # type: ignore[no-untyped-def]
    clock = Clock(NOW)
    c = Chat(Core(engine, clock=clock, default_timezone="Asia/Shanghai"), clock=clock)
    for user, line in SETUP:
        out = c.say(line, user=user)
        assert "⚠️" not in out, (line, out)
    return c


def _user(line: str) -> str:
    return "李雷" if any("\u4e00" <= ch <= "\u9fff" for ch in line) else "amy"


def _state(chat: Chat) -> tuple[list[tuple[object, ...]], int, int]:
    with Session(chat.engine) as s:
        ms = sorted((m.id, m.title, m.status, str(m.due_on), m.owner_id, m.after_id, m.after_event, m.after_count)
                    for m in s.exec(select(Milestone)).all())
        return ms, len(s.exec(select(Payment)).all()), len(s.exec(select(ChangeRequest)).all())


def _milestone(chat: Chat, title: str) -> Milestone:
    """The milestone of that title added last."""
    with Session(chat.engine) as s:
        rows = [m for m in s.exec(select(Milestone).order_by(Milestone.id)).all() if m.title == title]
        assert rows, f"no milestone {title}"
        return rows[-1]


def _anchor(chat: Chat, m: Milestone) -> str | None:
    if m.after_event:
        return "@" + m.after_event
    with Session(chat.engine) as s:
        a = s.get(Milestone, m.after_id)
        return a.title if a else None


# --- adding a milestone due after an event -------------------------------------------------------------------------

ADDS = [
    # Chinese: connectors 后/之后/以后/满/起/内, the count before 后, units, numerals, pay words around the name
    ("HT-2027-102 尾款10%，验收合格后30日内支付", "尾款", 10, 30, "day", "交付验收", None),
    ("HT-2027-102 验收通过后15个工作日内付清进度款", "进度款", None, 15, "workday", "交付验收", None),
    ("HT-2027-102 质保金10%在验收满一年后支付", "质保金", 10, 1, "year", "交付验收", None),
    ("HT-2027-102 质保金 5% 上线满12个月后支付 @王五", "质保金", 5, 12, "month", "上线", "王五"),
    ("HT-2027-102 上线后三个月付质保金", "质保金", None, 3, "month", "上线", None),
    ("HT-2027-102 加一个质保金，10%，交付验收合格一年后付，负责人 @李雷", "质保金", 10, 1, "year", "交付验收", "李雷"),
    ("HT-2027-102 质保金 验收后半年", "质保金", None, 6, "month", "交付验收", None),
    ("HT-2027-102 质保金 验收后一年半", "质保金", None, 18, "month", "交付验收", None),
    ("HT-2027-102 培训 交付验收完成之日起10个自然日内", "培训", None, 10, "day", "交付验收", None),
    ("HT-2027-102 运维交接 驗收後二十個工作日", "运维交接", None, 20, "workday", "交付验收", None),
    ("HT-2027-102 安装调试 合同签署后10日内", "安装调试", None, 10, "day", "@signed", None),
    ("HT-2027-102 续约沟通 合同到期前一个月 @李雷", "续约沟通", None, -1, "month", "@end", "李雷"),
    ("给HT-2027-102添加节点：验收款5%，验收后30天内支付，负责人张三", "验收款", 5, 30, "day", "交付验收", "张三"),
    ("HT-2027-102 新增付款节点 验收款 5% 验收合格后30个工作日内付清 @张三", "验收款", 5, 30, "workday", "交付验收", "张三"),
    ("HT-2027-102 项目复盘 验收后3周 韩梅梅负责", "项目复盘", None, 3, "week", "交付验收", "韩梅梅"),
    ("HT-2027-102 系统巡检 首付款到账后60天", "系统巡检", None, 60, "day", "首付款", None),
    # English: after/post/following/of/from/within, net N, event + N, abbreviations, word numerals
    ("HT-2027-101 retention 10% net 30 after acceptance", "retention", 10, 30, "day", "delivery acceptance", None),
    ("HT-2027-101 retention released 12 months post go-live", "retention", None, 12, "month", "go-live", None),
    ("HT-2027-101 hypercare end 30 days post-go-live", "hypercare end", None, 30, "day", "go-live", None),
    ("HT-2027-101 retention 10% due acceptance + 30 days", "retention", 10, 30, "day", "delivery acceptance", None),
    ("HT-2027-101 deposit top-up 5% within 5 business days of contract signature", "deposit top-up", 5, 5,
     "workday", "@signed", None),
    ("HT-2027-101 audit due 30 days after the contract is signed", "audit", None, 30, "day", "@signed", None),
    ("HT-2027-101 balance payable 30 days from the date of acceptance", "balance", None, 30, "day",
     "delivery acceptance", None),
    ("HT-2027-101 health check due 30 days after the first payment is received", "health check", None, 30, "day",
     "first payment", None),
    ("HT-2027-101 retention 10% 12 mos after go live, owner bob", "retention", 10, 12, "month", "go-live", "bob"),
    ("HT-2027-101 support review six months after acceptance owner @ben", "support review", None, 6, "month",
     "delivery acceptance", "ben"),
    ("HT-2027-101 renewal decision 45 days before the contract ends, owner @ben", "renewal decision", None, -45,
     "day", "@end", "ben"),
    ("HT-2027-101 post-launch check 2 weeks after the delivery acceptance is done", "post-launch check", None, 2,
     "week", "delivery acceptance", None),
    ("HT-2027-101 add milestone retention 10% due twelve months after acceptance, amy owns it", "retention", 10,
     12, "month", "delivery acceptance", "amy"),
]


@pytest.mark.parametrize(("line", "title", "percent", "count", "unit", "anchor", "owner"), ADDS,
                         ids=[f"add{i:02d}" for i in range(len(ADDS))])
def test_adding_a_milestone_due_after_an_event(chat: Chat, line: str, title: str, percent: int | None, count: int,
                                               unit: str, anchor: str, owner: str | None) -> None:
    before = _state(chat)
    out = chat.say(line, user=_user(line))
    assert "⚠️" not in out, out
    assert "理解为：" in out or "Read as:" in out, out
    m = _milestone(chat, title)
    assert (m.after_count, m.after_unit, _anchor(chat, m)) == (count, unit, anchor)
    assert (m.due_on is None) == (anchor != "@end")  # the contract's end is known: the date at once
    assert (m.percent is None and percent is None) or m.percent == percent
    if owner:
        assert f"@{owner}" in out, out
    after = _state(chat)
    assert after[1:] == before[1:]  # no payment, no change request
    untouched = [row for row in after[0] if row[1] != title]
    assert untouched == [row for row in before[0] if row[1] != title]  # nothing else completed or reassigned


# --- changing a milestone to count from an event ------------------------------------------------------------------

CHANGES = [
    ("HT-2027-102 尾款改成验收后30天", "尾款", 30, "day", "交付验收", None),
    ("把 HT-2027-102 的尾款截止日改为验收合格后30日", "尾款", 30, "day", "交付验收", None),
    ("HT-2027-102 尾款的截止时间调整为交付验收后15个工作日", "尾款", 15, "workday", "交付验收", None),
    ("HT-2027-102 尾款延到验收后60天，客户资金紧张", "尾款", 60, "day", "交付验收", "客户资金紧张"),
    ("HT-2027-102 尾款调整为首付款到账后90天", "尾款", 90, "day", "首付款", None),
    ("HT-2027-101 make the final payment due 30 days after acceptance", "final payment", 30, "day",
     "delivery acceptance", None),
    ("change HT-2027-101 final payment to net 30 after acceptance", "final payment", 30, "day",
     "delivery acceptance", None),
    ("HT-2027-101 final payment should be due 45 days after go-live instead", "final payment", 45, "day", "go-live",
     None),
    ("push HT-2027-101 final payment out to 60 days after acceptance, customer asked", "final payment", 60, "day",
     "delivery acceptance", "customer asked"),
    ("HT-2027-101: switch the final payment to 2 months after acceptance", "final payment", 2, "month",
     "delivery acceptance", None),
]


@pytest.mark.parametrize(("line", "title", "count", "unit", "anchor", "reason"), CHANGES,
                         ids=[f"change{i:02d}" for i in range(len(CHANGES))])
def test_changing_a_milestone_to_count_from_an_event(chat: Chat, line: str, title: str, count: int, unit: str,
                                                     anchor: str, reason: str | None) -> None:
    user = _user(line)
    out = chat.say(line, user=user)
    assert "CR-1" in out, out
    with Session(chat.engine) as s:
        [cr] = s.exec(select(ChangeRequest)).all()
        assert (cr.field, cr.reason) == ("due", reason)
        rule = anchors.decode(cr.new_value)
        assert rule is not None and (rule.count, rule.unit) == (count, unit)
    chat.say("批准 CR-1" if user == "李雷" else "approve CR-1", user="amy" if user == "李雷" else "李雷")
    m = _milestone(chat, title)
    assert (m.after_count, m.after_unit, _anchor(chat, m), m.due_on) == (count, unit, anchor, None)


def test_a_rule_said_of_an_existing_milestone_without_a_verb_is_asked_first(chat: Chat) -> None:
    before = _state(chat)
    out = chat.say("HT-2027-102 尾款 验收后30天", user="李雷")
    assert "HT-2027-102 已有节点 尾款。要把它改为验收后30天到期吗？" in out
    assert _state(chat) == before
    chat.say("是", user="李雷")
    with Session(chat.engine) as s:
        [cr] = s.exec(select(ChangeRequest)).all()
        assert anchors.decode(cr.new_value) is not None
    # a name of the same milestone in other words: the same one, or a new one?
    out = chat.say("HT-2027-102 预付款 签约后一周内", user="李雷")
    assert "已有节点 首付款" in out and '节点 HT-2027-102 "预付款" 签约后1周' in out


# --- nothing written: a reason, and an example ---------------------------------------------------------------------

REFUSALS = [
    ("HT-2027-102 尾款 终验后30天", "没有可作为起算点的节点“终验”"),  # 终验 is not 交付验收
    ("HT-2027-102 质保金 10% 初验合格后一年", "没有可作为起算点的节点“初验”"),
    ("HT-2027-102 质保金 上线验收后30天", "没有可作为起算点的节点“上线验收”"),  # 上线 or 交付验收?
    ("HT-2027-102 质保金 发货后30天", "没有可作为起算点的节点“发货”"),
    ("HT-2027-102 质保金 开票后30天付款", "没有开票节点"),
    ("HT-2027-102 质保金 收到发票后15个工作日", "没有开票节点"),
    ("HT-2027-102 尾款改成开票后30天", "没有开票节点"),
    ("HT-2027-102 质保金 验收后30天左右", "不是确切的期限"),
    ("HT-2027-102 质保金 验收后约一年", "不是确切的期限"),
    ("HT-2027-102 质保金 验收后一年多", "不是确切的期限"),
    ("HT-2027-102 质保金 验收后第二年", "不是确切的期限"),
    ("HT-2027-102 质保金 验收后30到45天", "不是确切的期限"),
    ("HT-2027-102 质保金 验收后30天或45天", "二选一"),
    ("HT-2027-102 质保金10% 验收后12个月或上线后6个月", "一个节点只能有一个"),
    ("HT-2027-102 质保金 验收后30天 验收后60天", "一个节点只能有一个"),
    ("HT-2027-102 质保金 验收后30天 2027-12-31", "截止日期和起算事件只能写一个"),
    ("HT-2027-102 质保金 验收合格后支付", "没有写明事件后多久到期"),
    ("HT-2027-102 质保金 10% 签约当天", "没有写明事件后多久到期"),
    ("HT-2027-102 培训 验收前5天", "节点只能在另一个节点完成之后到期"),
    ("HT-2027-101 retention due 12 months after final acceptance", "has no milestone “final acceptance”"),
    ("HT-2027-101 retention due 30 days after shipment", "has no milestone “shipment”"),
    ("HT-2027-101 retention due 30 days after invoice", "has no invoice milestone"),
    ("HT-2027-101 retention net 30 from invoice", "has no invoice milestone"),
    ("HT-2027-101 retention invoice date + 30 days", "has no invoice milestone"),
    ("HT-2027-101 final payment due 30 days after invoice", "has no invoice milestone"),
    ("HT-2027-101 retention due about 30 days after acceptance", "is not an exact count"),
    ("HT-2027-101 retention due 30-45 days after acceptance", "is not an exact count"),
    ("HT-2027-101 retention due at least 12 months after acceptance", "is not an exact count"),
    ("HT-2027-101 retention due 30 days after go-live or acceptance, whichever is later", "is one of two choices"),
    ("HT-2027-101 retention 10% upon acceptance", "doesn't say how long after the event"),
    ("HT-2027-101 final payment due 30 days after final payment", "final payment can't be due after itself"),
]


@pytest.mark.parametrize(("line", "says"), REFUSALS, ids=[f"refuse{i:02d}" for i in range(len(REFUSALS))])
def test_refused_with_a_reason_and_nothing_written(chat: Chat, line: str, says: str) -> None:
    before = _state(chat)
    out = chat.say(line, user=_user(line))
    assert out.startswith("⚠️") and says in out, out
    assert "例如：" in out or "Example:" in out
    assert _state(chat) == before


@pytest.mark.parametrize("line", [
    "HT-2027-102 验收后30天要付什么？",
    "HT-2027-102 尾款是验收后多少天？",
    "HT-2027-102 验收完成后多久付尾款",
    "what's due after acceptance on HT-2027-101?",
    "HT-2027-101 is the final payment due 30 days after acceptance?",
    "how long after acceptance is the HT-2027-101 final payment due?",
])
def test_a_question_about_events_writes_nothing(chat: Chat, line: str) -> None:
    before = _state(chat)
    chat.say(line, user=_user(line))
    assert _state(chat) == before


# --- the words inside a rule are its event, not the line's verb -------------------------------------------------------


@pytest.mark.parametrize(("line", "title"), [
    ("HT-2027-102 质保金 交付验收完成之日起30天内付清", "质保金"),  # 完成: not "done 交付验收"
    ("HT-2027-102 巡检 首付款到账后60天", "巡检"),  # 到账: not a payment of 60
    ("HT-2027-102 验收款5% 验收后30天内 负责人@张三", "验收款"),  # 负责人 @张三: not a reassignment of 交付验收
    ("HT-2027-102 质保金 收到首付款后10个工作日", "质保金"),  # 收到: not a payment
    ("HT-2027-101 audit 2 weeks after the delivery acceptance is done", "audit"),  # done: not "done …"
    ("HT-2027-101 review call 30 days after the first payment is received", "review call"),  # not "paid …"
])
def test_the_event_words_never_complete_pay_or_reassign(chat: Chat, line: str, title: str) -> None:
    before = _state(chat)
    out = chat.say(line, user=_user(line))
    assert "⚠️" not in out, out
    after = _state(chat)
    assert after[1:] == before[1:]
    assert [row for row in after[0] if row[1] != title] == before[0]
    assert _milestone(chat, title).due_on is None


# --- the reader itself ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "event", "count", "unit"), [
    ("验收满一年后支付", "验收", 1, "year"),
    ("上线后满12个月", "上线", 12, "month"),
    ("验收一年后支付", "验收", 1, "year"),
    ("尾款改成验收后30天", "验收", 30, "day"),
    ("尾款验收后30天支付", "验收", 30, "day"),
    ("验收后第30天", "验收", 30, "day"),
    ("验收后的两个礼拜内", "验收", 2, "week"),
    ("net 45 after delivery", "delivery", 45, "day"),
    ("30d after acceptance", "acceptance", 30, "day"),
    ("2 wks following go-live", "go-live", 2, "week"),
    ("1 yr post acceptance", "acceptance", 1, "year"),
])
def test_find_due_after_reads_the_forms(text: str, event: str, count: int, unit: str) -> None:
    found = find_due_after(text)
    assert found is not None and found.due.doubt is None
    assert (found.due.event, found.due.count, found.due.unit) == (event, count, unit)


@pytest.mark.parametrize("text", ["首付款 三天后", "首付款三天后", "签约后付30%", "reschedule HT-1 final payment +1 month",
                                  "30 days of support", "in 2 weeks"])
def test_not_a_rule(text: str) -> None:
    assert find_due_after(text) is None


def test_an_event_without_a_count_is_found_only_to_say_so() -> None:
    assert event_without_count("验收合格后支付尾款") == "验收合格后"
    assert event_without_count("30% on signing") == "on signing"
    assert event_without_count("验收后30天") is None
