"""Each KPI against a small ledger computed by hand (every figure below is worked out in the comments)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from storage import kpis
from storage.db import transaction
from storage.models import Contract, Milestone, Payment, PaymentAllocation, Person, Tenant

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2027, 3, 15)
Q1 = (date(2027, 1, 1), date(2027, 3, 31))


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH).astimezone(UTC)


@pytest.fixture
def ledger(engine):  # type: ignore[no-untyped-def]
    """Five contracts, nine milestones, seven payments (one reversed, one not allocated)."""
    with transaction(engine) as s:
        t = Tenant(platform="console", external_id="kpi", timezone="Asia/Shanghai")
        s.add(t)
        s.flush()
        alice, bob, carol = (Person(tenant_id=t.id, handle=h) for h in ("alice", "bob", "carol"))
        s.add_all([alice, bob, carol])
        s.flush()

        def contract(number: str, party: str, cur: str, owner: Person, end: date, notice: int, status: str = "active"):
            c = Contract(tenant_id=t.id, number=number, title=f"{party} deal", counterparty=party, amount=D(1_000_000),
                         currency=cur, owner_id=owner.id, end_on=end, notice_days=notice, status=status)
            s.add(c)
            s.flush()
            return c

        c1 = contract("HT-1", "Acme", "CNY", alice, date(2027, 12, 31), 30)  # deadline 2027-12-01
        c2 = contract("HT-2", "Beta Corp", "CNY", bob, date(2027, 2, 28), 10)  # deadline 02-18, passed: missed
        c3 = contract("HT-3", "Gamma", "USD", bob, date(2027, 4, 10), 0)  # deadline 04-10: within 30 days
        contract("HT-4", "Delta", "CNY", alice, date(2027, 3, 20), 0, "renewed")  # deadline 03-20: renewed
        contract("HT-5", "Epsilon", "CNY", alice, date(2027, 1, 31), 0, "ended")  # deadline 01-31: ended

        def ms(c: Contract, kind: str, due: date, owner: Person, amount: int | None = None, *,
               done: datetime | None = None, status: str | None = None) -> Milestone:
            m = Milestone(tenant_id=t.id, contract_id=c.id, kind=kind, title=f"{kind} {due}", due_on=due,
                          owner_id=owner.id, amount=D(amount) if amount is not None else None,
                          status=status or ("done" if done else "open"), done_at=done)
            s.add(m)
            s.flush()
            return m

        m1 = ms(c1, "payment", date(2027, 1, 10), alice, 300_000, done=local(2027, 1, 5))
        m2 = ms(c1, "payment", date(2027, 2, 10), alice, 400_000, done=local(2027, 2, 25))
        ms(c1, "payment", date(2027, 3, 10), alice, 300_000)  # m3: open, overdue 5 days
        m4 = ms(c2, "payment", date(2027, 1, 20), bob, 500_000)  # open, 200k paid late
        m5 = ms(c3, "payment", date(2027, 2, 1), bob, 50_000, done=local(2027, 3, 3))
        ms(c1, "delivery", date(2027, 2, 15), carol, done=local(2027, 2, 20))  # m6: 5 days late
        # m7: done at 00:30 on 03-02 in Shanghai, which is still 03-01 in UTC: one day late, not on time
        ms(c2, "acceptance", date(2027, 3, 1), bob, done=local(2027, 3, 2, 0, 30))
        ms(c1, "payment", date(2026, 12, 1), alice, 100_000, status="cancelled")  # m8: never counts
        ms(c2, "delivery", date(2027, 3, 5), carol)  # m9: open, overdue

        seq = iter(range(1, 100))

        def pay(c: Contract, amount: int, on: date, *, to: Milestone | None = None, reversed_: bool = False) -> None:
            p = Payment(tenant_id=t.id, seq=next(seq), contract_id=c.id, amount=D(amount), currency=c.currency,
                        received_on=on, reversed_at=local(2027, 2, 2) if reversed_ else None)
            s.add(p)
            s.flush()
            if to is not None:
                s.add(PaymentAllocation(payment_id=p.id, milestone_id=to.id, amount=D(amount)))

        pay(c1, 300_000, date(2027, 1, 5), to=m1)
        pay(c1, 100_000, date(2027, 2, 8), to=m2)
        pay(c1, 300_000, date(2027, 2, 25), to=m2)
        pay(c2, 200_000, date(2027, 1, 25), to=m4)
        pay(c3, 50_000, date(2027, 3, 3), to=m5)
        pay(c2, 50_000, date(2027, 2, 1), to=m4, reversed_=True)
        pay(c3, 10_000, date(2027, 3, 10))  # money no milestone took
        ids = {"tenant": t.id, "alice": alice.id, "bob": bob.id, "carol": carol.id}
    return engine, ids


def scope(ids: dict[str, int], **kw: object) -> kpis.Scope:
    return kpis.Scope(tenant_id=ids["tenant"], start=Q1[0], end=Q1[1], today=TODAY, **kw)  # type: ignore[arg-type]


def test_collected_vs_planned(ledger) -> None:  # type: ignore[no-untyped-def]
    engine, ids = ledger
    with Session(engine) as s:
        got = kpis.collection(s, scope(ids))
        # due: 300k + 400k + 300k + 500k (the cancelled 100k is out); received: 300k+100k+300k+200k (reversed out)
        # on time: m1 300k by 01-10, m2 100k by 02-10, m3 nothing, m4 nothing by 01-20
        assert got["CNY"] == kpis.Collection(D(900_000), D(1_500_000), D(400_000))
        assert round(got["CNY"].rate or 0, 4) == 0.2667
        # USD: 50k due, 50k + 10k (unallocated) received, none of it on time
        assert got["USD"] == kpis.Collection(D(60_000), D(50_000), D(0))
        alice = kpis.collection(s, scope(ids, owner_id=ids["alice"]))
        assert alice == {"CNY": kpis.Collection(D(700_000), D(1_000_000), D(400_000))}
        assert kpis.collection(s, scope(ids, party="acme")) == alice
        assert kpis.collection(s, scope(ids, party="ht-2")) == {"CNY": kpis.Collection(D(200_000), D(500_000), D(0))}


def test_days_to_collect(ledger) -> None:  # type: ignore[no-untyped-def]
    engine, ids = ledger
    with Session(engine) as s:
        got = kpis.days_to_collect(s, scope(ids))
    # settled in Q1: m1 -5 days (early), m2 15 days (settled by the 02-25 payment), m5 30 days
    assert got.overall == kpis.Spread(3, 15, 30)
    # two values: the median is their mean, as a spreadsheet's MEDIAN ((-5 + 15) / 2); p90 is the later one
    assert got.by_party == [("Gamma", kpis.Spread(1, 30, 30)), ("Acme", kpis.Spread(2, 5, 15))]
    assert dict(got.by_owner) == {ids["bob"]: kpis.Spread(1, 30, 30), ids["alice"]: kpis.Spread(2, 5, 15)}


def test_on_time_rate(ledger) -> None:  # type: ignore[no-untyped-def]
    engine, ids = ledger
    with Session(engine) as s:
        got = kpis.on_time(s, scope(ids))
    # done in Q1: m1 on time; m2 15, m5 30, m6 5, m7 1 day late (its local completion day is 03-02)
    # the late ones' median: {1, 5, 15, 30} -> (5 + 15) / 2; payment {15, 30} -> 22.5
    assert got.overall == kpis.OnTimeRow(None, 5, 1, 10)
    assert got.by_kind == [kpis.OnTimeRow("payment", 3, 1, 22.5), kpis.OnTimeRow("delivery", 1, 0, 5),
                           kpis.OnTimeRow("acceptance", 1, 0, 1)]
    assert {r.key: r for r in got.by_owner} == {
        ids["alice"]: kpis.OnTimeRow(ids["alice"], 2, 1, 15),
        ids["bob"]: kpis.OnTimeRow(ids["bob"], 2, 0, 15.5),  # {1, 30}
        ids["carol"]: kpis.OnTimeRow(ids["carol"], 1, 0, 5),
    }


def test_bottlenecks_and_overdue_now(ledger) -> None:  # type: ignore[no-untyped-def]
    engine, ids = ledger
    with Session(engine) as s:
        got = kpis.bottlenecks(s, scope(ids))
        now = kpis.overdue_now(s, scope(ids))
    assert got.by_kind == [("payment", 2), ("delivery", 1)]
    assert sorted(n for _, n in got.by_owner) == [1, 1, 1]
    assert [(i.number, i.due_on, i.owed) for i in got.oldest] == [
        ("HT-2", date(2027, 1, 20), D(300_000)), ("HT-2", date(2027, 3, 5), None), ("HT-1", date(2027, 3, 10), D(300_000))]
    assert now == kpis.OverduePoint(TODAY, 3, {"CNY": D(600_000)})


def test_overdue_trend(ledger) -> None:  # type: ignore[no-untyped-def]
    engine, ids = ledger
    with Session(engine) as s:
        trend = kpis.overdue_trend(s, scope(ids))
    assert len(trend) == 12 and trend[-1].day == TODAY and trend[0].day == TODAY - timedelta(weeks=11)
    by_day = {p.day: p for p in trend}
    assert by_day[TODAY] == kpis.OverduePoint(TODAY, 3, {"CNY": D(600_000)})
    # 03-08: m4 (500k - 200k) and m9; m3 is not due yet
    assert by_day[date(2027, 3, 8)] == kpis.OverduePoint(date(2027, 3, 8), 2, {"CNY": D(300_000)})
    # 03-01: m4 and m5 (settled 03-03)
    assert by_day[date(2027, 3, 1)] == kpis.OverduePoint(date(2027, 3, 1), 2, {"CNY": D(300_000), "USD": D(50_000)})
    # 02-15: m2 (400k - 100k paid 02-08), m4 300k, m5 50k USD
    assert by_day[date(2027, 2, 15)] == kpis.OverduePoint(date(2027, 2, 15), 3,
                                                          {"CNY": D(600_000), "USD": D(50_000)})


def test_renewals_and_risk(ledger) -> None:  # type: ignore[no-untyped-def]
    engine, ids = ledger
    with Session(engine) as s:
        ren = kpis.renewals(s, scope(ids))
        total, risky = kpis.at_risk(s, scope(ids))
    assert [(r.number, r.deadline, r.outcome) for r in ren] == [
        ("HT-5", date(2027, 1, 31), "ended"), ("HT-2", date(2027, 2, 18), "missed"),
        ("HT-4", date(2027, 3, 20), "renewed")]
    assert total == 3
    assert [(r.number, r.overdue_owed, r.deadline) for r in risky] == [
        ("HT-2", D(300_000), None), ("HT-1", D(300_000), None), ("HT-3", D(0), date(2027, 4, 10))]


def test_money_by_month_and_ageing(ledger) -> None:  # type: ignore[no-untyped-def]
    engine, ids = ledger
    with Session(engine) as s:
        money = kpis.money_by_month(s, scope(ids))
        ageing = kpis.ageing(s, scope(ids))
    assert money.months[0] == date(2026, 4, 1) and money.months[-1] == date(2027, 6, 1) and len(money.months) == 15
    i = {m: k for k, m in enumerate(money.months)}
    jan, feb, mar = i[date(2027, 1, 1)], i[date(2027, 2, 1)], i[date(2027, 3, 1)]
    assert (money.due["CNY"][jan], money.due["CNY"][feb], money.due["CNY"][mar]) == (D(800_000), D(400_000), D(300_000))
    assert money.due["CNY"][i[date(2026, 12, 1)]] == 0  # the cancelled one
    assert (money.received["CNY"][jan], money.received["CNY"][feb]) == (D(500_000), D(400_000))
    assert money.received["USD"][mar] == D(60_000) and money.due["USD"][feb] == D(50_000)
    assert sum(money.due["CNY"]) == D(1_500_000)
    # m3 300k is 5 days late (1-30), m4 300k is 54 days late (31-60)
    assert ageing == {"CNY": [D(0), D(300_000), D(300_000), D(0), D(0)]}


def test_a_milestone_closed_today_is_not_overdue_today(ledger) -> None:  # type: ignore[no-untyped-def]
    engine, ids = ledger
    with transaction(engine) as s:
        m9 = s.exec(select(Milestone).where(Milestone.due_on == date(2027, 3, 5))).one()
        m9.status, m9.done_at = "done", local(2027, 3, 15, 9)
        s.add(m9)
    with Session(engine) as s:
        trend = kpis.overdue_trend(s, scope(ids))
        now = kpis.overdue_now(s, scope(ids))
    assert trend[-1] == now == kpis.OverduePoint(TODAY, 2, {"CNY": D(600_000)})
    assert trend[-2].count == 2  # on 03-08 it was still open: m4 and m9


def test_the_trend_ends_on_todays_overdue_even_with_money_received_today(ledger) -> None:  # type: ignore[no-untyped-def]
    engine, ids = ledger
    with transaction(engine) as s:  # 100k of m3 (300k, due 03-10) arrives today
        m3 = s.exec(select(Milestone).where(Milestone.due_on == date(2027, 3, 10))).one()
        p = Payment(tenant_id=ids["tenant"], seq=50, contract_id=m3.contract_id, amount=D(100_000), currency="CNY",
                    received_on=TODAY)
        s.add(p)
        s.flush()
        s.add(PaymentAllocation(payment_id=p.id, milestone_id=m3.id, amount=D(100_000)))
    with Session(engine) as s:
        trend = kpis.overdue_trend(s, scope(ids))
        now = kpis.overdue_now(s, scope(ids))
    assert trend[-1] == now == kpis.OverduePoint(TODAY, 3, {"CNY": D(500_000)})
