"""From a typed line to a command: the README form first, then free phrasing, then questions asked back.

``interpret`` is what the core calls for every line. A pending question (``Ask``) is stored per team, chat and
person, so the next message, a typed ``yes``/``是``/``1``/``2``/``cancel``, or a button answers it.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, literal, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from handlers import commands, grammar
from handlers.context import Ctx
from handlers.errors import UserError
from handlers.reminders import new_key
from handlers.replies import Action, Reply
from handlers.understand import JUNK_RE, Ask, Reading, normalise, read_free
from storage import repo
from storage.models import Contract, MilestoneStatus

YES = {"yes", "y", "yeah", "yep", "ok", "okay", "sure", "right", "correct", "confirm", "是", "是的", "对", "对的",
       "好", "好的", "确认", "可以", "没错", "嗯", "行"}
NO = {"no", "n", "nope", "不", "不是", "否", "不对"}
CANCEL = {"cancel", "stop", "never mind", "nevermind", "forget it", "abort", "取消", "算了", "不用了", "放弃"}
ZH_ORDINALS = {"第一个": 1, "第二个": 2, "第三个": 3, "第四个": 4, "第五个": 5, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}


class LedgerTeam:
    """The reader's view of one team's ledger (handlers.understand.Team), scoped to the team."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.tenant_id = ctx.tenant_id
        self._contracts: dict[str, Contract | None] = {}

    def _contract(self, number: str) -> Contract | None:
        if number not in self._contracts:
            self._contracts[number] = repo.get_contract(self.ctx.session, tenant_id=self.tenant_id, number=number)
        return self._contracts[number]

    def has_contract(self, number: str) -> bool:
        return self._contract(number) is not None

    def contracts_named(self, text: str, words: list[str]) -> list[tuple[str, str, str]]:
        """Contracts whose counterparty or title is written in the text, or starts with one of its words."""
        low = text.replace("\x00", " ").lower()  # the reader's cut markers: PostgreSQL refuses NUL in text
        words = [w.replace("\x00", "") for w in words]
        conds: list[ColumnElement[bool]] = [
            (func.length(Contract.counterparty) >= 2) & literal(low).contains(func.lower(Contract.counterparty)),
            (func.length(Contract.title) >= 2) & literal(low).contains(func.lower(Contract.title)),
        ]
        for w in words[:8]:
            w = w.lower().removesuffix("'s")
            if len(w) < 3:
                continue
            conds.append(func.lower(Contract.counterparty).startswith(w))
            conds.append(func.lower(Contract.title).startswith(w))
            conds.append(func.lower(Contract.counterparty).contains(" " + w))
        rows = self.ctx.session.exec(
            select(Contract.number, Contract.title, Contract.counterparty)
            .where(Contract.tenant_id == self.tenant_id, col(Contract.status) != "renewed", or_(*conds))
            .order_by(col(Contract.id)).limit(6)
        ).all()
        return [(n, t, p) for n, t, p in rows]

    def milestone_titles(self, number: str, *, open_only: bool) -> list[str]:
        contract = self._contract(number)
        if contract is None:
            return []
        ms = repo.milestones_of(self.ctx.session, tenant_id=self.tenant_id, contract_id=contract.id or 0)
        titles: list[str] = []
        for m in ms:
            if (m.status == MilestoneStatus.OPEN or not open_only) and m.status != MilestoneStatus.CANCELLED and m.title not in titles:
                titles.append(m.title)
        return titles

    def milestone_owed(self, number: str, title: str) -> Decimal | None:
        contract = self._contract(number)
        if contract is None:
            return None
        paid = repo.paid_by_milestone(self.ctx.session, tenant_id=self.tenant_id, contract_id=contract.id or 0)
        for m in repo.milestones_of(self.ctx.session, tenant_id=self.tenant_id, contract_id=contract.id or 0):
            if m.title == title and m.status == MilestoneStatus.OPEN and m.amount is not None:
                return max(Decimal(0), m.amount - paid.get(m.id or 0, Decimal(0)))
        return None

    def counterparties(self) -> set[str]:
        rows = self.ctx.session.exec(
            select(Contract.counterparty).where(Contract.tenant_id == self.tenant_id).distinct().limit(5000)
        ).all()
        return {r for r in rows if r}

    def contract_end(self, number: str) -> date | None:
        contract = self._contract(number)
        return contract.end_on if contract else None

    def milestone_due(self, number: str, title: str) -> date | None:
        contract = self._contract(number)
        if contract is None:
            return None
        for m in repo.milestones_of(self.ctx.session, tenant_id=self.tenant_id, contract_id=contract.id or 0):
            if m.title == title and m.status == MilestoneStatus.OPEN:
                return m.due_on
        return None


def _first_word(text: str) -> str:
    return text.strip().split(" ")[0] if text.strip() else ""


def _text_fields(command: object) -> list[str]:
    if not is_dataclass(command):
        return []
    out = []
    for f in fields(command):
        if f.name in ("title", "counterparty", "milestone"):
            v = getattr(command, f.name)
            if isinstance(v, str):
                out.append(v)
    return out


# NUL and the other control characters never reach a reader, a stored name or a note: control spaces (tab, newline,
# form feed ...) are word breaks, the rest are dropped, with the bidirectional overrides that make a name read
# differently from what is stored
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """A typed line without control characters; tabs and newlines become spaces."""
    return _CONTROL.sub(lambda m: " " if m.group().isspace() else "", text)


def interpret(ctx: Ctx, text: str) -> Reading:
    """Read a line: the README form when it is one, else free phrasing; raise UserError when neither works."""
    text = clean(text)
    line = normalise(text)
    if not line:
        return Reading(ctx.lang, grammar.Help())
    if _ambiguous_day_month(line):
        return _read_with_dates(ctx, line, text)
    return _read_one(ctx, line, text)


def _refuse_junk_names(command: object, verb: str, lang: str) -> None:
    """A name (title, counterparty, milestone) never carries a broken number or half a date."""
    for value in _text_fields(command):
        if (m := JUNK_RE.search(value)) is not None:
            raise UserError("err.word_unplaced", example=grammar.example_for(verb, lang), word=m.group().strip())


# commands whose README form is VERB NUMBER …: typed otherwise, the line is free phrasing
_NUMBERED = {"new", "milestone", "done", "show", "snooze", "reassign", "note", "remind", "paid", "renew", "end", "change",
             "history", "waive", "edit", "delete"}
# commands that exist only in README form: a line starting with one that does not read is told why, never re-read
# as free phrasing ("email @bob bob@@x" is a bad address, not a question about @bob)
_STRICT = {"email"}


def _read_one(ctx: Ctx, line: str, raw: str | None = None) -> Reading:
    """The README form first (exactly as documented); free phrasing when that does not read."""
    verb = commands.split_verb(line)[0]
    strict_error: UserError | None = None
    if verb == "new":
        try:  # only its error is wanted: a bare "新建" is told what is missing, in README terms
            commands.parse(line, now=ctx.now, tz=ctx.tz, lang_hint=ctx.lang)
        except UserError as err:
            strict_error = err
    elif verb:
        try:
            parsed = commands.parse(line, now=ctx.now, tz=ctx.tz, lang_hint=ctx.lang)
            _refuse_junk_names(parsed.command, verb, ctx.lang)
            return Reading(ctx.lang, parsed.command)
        except UserError as err:
            if verb in _STRICT:
                raise
            strict_error = err
    try:
        reading = read_free(line, team=LedgerTeam(ctx), now=ctx.now, tz=ctx.tz, lang=ctx.lang, raw=raw,
                            verbs=tuple(commands.aliases()))
    except UserError as err:
        # typed in README form (a command verb first), the README reason is the one that helps
        readme_form = bool(verb) and (verb not in _NUMBERED or bool(re.match(r"\S+\s+[A-Za-z]{1,10}-?\d", line)))
        if strict_error is not None and (readme_form or err.key in ("err.not_understood", "err.unknown_suggest",
                                                             "err.unknown_command", "err.not_understood_number",
                                                             "err.use_form")):
            raise strict_error from None
        raise
    if reading.command is None and reading.ask is None and reading.canonical:
        # the reader wrote the README form of a command it does not build itself (edit, waive, delete, role …)
        reading = Reading(reading.lang, commands.parse(reading.canonical, now=ctx.now, tz=ctx.tz,
                                                       lang_hint=ctx.lang).command, reading.canonical)
    if reading.command is not None:
        _refuse_junk_names(reading.command, verb or "help", ctx.lang)
    if strict_error is not None and reading.command is None and reading.ask is None:
        raise strict_error
    if reading.canonical and (_same(reading.canonical, line) or _readme_new(line, verb)):
        reading = Reading(reading.lang, reading.command, None, reading.ask)
    return reading


def _readme_new(line: str, verb: str) -> bool:
    """``new NUMBER …`` typed in README form: no "read as" echo (the reply shows every field anyway)."""
    parts = line.split(" ")
    return verb == "new" and len(parts) > 1 and bool(re.fullmatch(r"[A-Za-z]{1,10}-?[\w\-/]*\d[\w\-/]*", parts[1]))


def _same(a: str, b: str) -> bool:
    squash = lambda s: re.sub(r"[\s\"“”]+", " ", s).strip().lower()  # noqa: E731
    return squash(a) == squash(b)


_DAY_MONTH = re.compile(r"(?<![\d/.-])(\d{1,2})/(\d{1,2})(?![\d/])")


def _ambiguous_day_month(line: str) -> bool:
    m = _DAY_MONTH.search(line)
    return m is not None and 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 12 and m.group(1) != m.group(2)


def _read_with_dates(ctx: Ctx, line: str, raw: str) -> Reading:
    """03/04 (either order a real date): read both ways and ask which one is meant."""
    m = _DAY_MONTH.search(line)
    assert m is not None
    a, b = int(m.group(1)), int(m.group(2))
    year = ctx.today.year
    options = []
    for month, day in ((a, b), (b, a)):
        d = date(year, month, day)
        if d < ctx.today and not re.search(r"paid|received|到账|回款|收到", line, re.IGNORECASE):
            d = date(year + 1, month, day)
        swapped = line[: m.start()] + d.isoformat() + line[m.end():]
        try:
            reading = _read_one(ctx, swapped, raw)
        except UserError:
            continue  # this reading makes no sense (a payment received in the future)
        if reading.command is not None:
            options.append((d.isoformat(), reading.canonical or swapped))
    if len(options) == 1:  # only one reading makes sense (a payment can't be received in the future)
        return _read_one(ctx, options[0][1], raw)
    if len(options) < 2:
        return _read_one(ctx, line, raw)
    return Reading(ctx.lang, None, None, Ask("choose", "ask.day_month", {"text": m.group()}, tuple(options)))


# --- pending questions ----------------------------------------------------------------------------------


def ask_reply(ctx: Ctx, ask: Ask) -> Reply:
    """Store the question for this person in this chat and say it, with a button per answer."""
    payload = {"kind": ask.kind, "options": [list(o) for o in ask.options], "template": ask.template,
               "slot": ask.slot, "on_cancel": ask.on_cancel}
    repo.put_pending(ctx.session, tenant_id=ctx.tenant_id, chat_id=ctx.chat_id or "", person_id=ctx.person.id or 0,
                     kind=ask.kind, payload=json.dumps(payload, ensure_ascii=False), lang=ctx.lang, now=ctx.now)
    reply = Reply(title=ctx.t(ask.prompt_key, **ask.params), lang=ctx.lang, ephemeral=False)
    if ask.options:
        for i, (label, command) in enumerate(ask.options, start=1):
            reply.add(f"{i}. {command}")
            key = new_key(ctx.session, tenant_id=ctx.tenant_id, action="answer", arg=str(i))
            reply.actions.append(Action(kind="answer", label=f"{i}. {label}"[:75], key=key, command=str(i),
                                        style="primary" if i == 1 else None))
        reply.context.append(ctx.t("ask.choose_hint" if ask.kind == "choose" else "ask.fill_or_yes_hint",
                                   n=len(ask.options)))
    else:
        reply.context.append(ctx.t("ask.fill_hint"))
    key = new_key(ctx.session, tenant_id=ctx.tenant_id, action="answer", arg="cancel")
    reply.actions.append(Action(kind="answer", label=ctx.t("ask.cancel_button"), key=key,
                                command="cancel" if ctx.lang == "en" else "取消"))
    return reply


def pending_command(ctx: Ctx, text: str) -> tuple[str | None, bool]:
    """The README command a reply to a pending question stands for.

    Returns (command, handled): (None, False) when there is no open question or the line is not an answer to
    it (the question is dropped and the line read as it is); (None, True) when the answer cancelled it, or
    (its ``on_cancel`` command, False) when cancelling it has something to let go (a previewed import).
    """
    pending = repo.get_pending(ctx.session, tenant_id=ctx.tenant_id, chat_id=ctx.chat_id or "",
                               person_id=ctx.person.id or 0, now=ctx.now)
    if pending is None:
        return None, False
    payload = json.loads(pending.payload)
    text = clean(text)
    answer = normalise(text).strip().rstrip(".!。！").lower()
    drop = lambda: repo.drop_pending(ctx.session, tenant_id=ctx.tenant_id,  # noqa: E731
                                     chat_id=ctx.chat_id or "", person_id=ctx.person.id or 0)
    cancelled = (None, True) if not payload.get("on_cancel") else (payload["on_cancel"], False)
    if answer in CANCEL or (answer in NO and payload["kind"] == "fill"):
        drop()
        return cancelled
    if payload["kind"] == "choose":
        options = payload["options"]
        pick = _choice(answer, len(options))
        if pick is None:
            if answer in NO and len(options) == 1:
                drop()
                return cancelled
            drop()
            return None, False
        drop()
        return options[pick][1], False
    # a slot to fill: yes/1 takes the offered value, anything that is not itself a command fills it
    if payload["options"] and _choice(answer, 1) == 0:
        drop()
        return payload["options"][0][1], False
    if commands.split_verb(answer)[0] or re.search(r"\b[A-Za-z]{1,10}-\d", answer):
        drop()
        return None, False
    drop()
    return payload["template"].replace("{}", text.strip().replace('"', "'"), 1), False


def is_bare_answer(text: str) -> bool:
    """yes / 是 / 2 / cancel typed when no question is open."""
    answer = normalise(clean(text)).strip().rstrip(".!。！").lower()
    return answer in CANCEL or answer in YES or answer in NO or _choice(answer, 9) is not None


def _choice(answer: str, n: int) -> int | None:
    if answer in YES:
        return 0
    m = re.fullmatch(r"#?(\d)|(?:option|选项?|第)?\s*(\d)\s*(?:个|项)?", answer)
    if m:
        k = int(m.group(1) or m.group(2))
        return k - 1 if 1 <= k <= n else None
    if answer in ZH_ORDINALS and ZH_ORDINALS[answer] <= n:
        return ZH_ORDINALS[answer] - 1
    return None
