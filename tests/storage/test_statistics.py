"""SQLite gets planner statistics as the ledger grows (the bot's hourly lifecycle job refreshes them)."""

from __future__ import annotations

from sqlalchemy import text

from handlers.core import Core
from storage.db import make_engine, refresh_statistics, upgrade
from tests.chat import Chat


def test_statistics_appear_once_a_database_that_started_empty_has_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'grow.db'}")
    upgrade(engine)  # empty: the migrations' ANALYZE finds nothing to measure
    chat = Chat(Core(engine, default_timezone="Asia/Shanghai"))
    for i in range(30):
        chat.say(f'new HT-{i} "Deal {i}" Acme {1000 + i} ends 2027-12-31')
        chat.say(f"milestone HT-{i} first payment 50% due 2027-0{1 + i % 9}-10")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM sqlite_stat1 WHERE tbl = 'milestones'"))
    refresh_statistics(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'milestones'")).all()
    assert rows and all(stat for _, stat in rows)


def test_other_databases_are_left_to_their_own_statistics() -> None:
    refresh_statistics(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))  # returns without connecting
