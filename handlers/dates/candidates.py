"""Finding the due date inside a whole command: every reading, then the one that is meant.

@mentions, links, contract numbers (HT-2026-001) and amounts (30%, 120万, 1,200,000, 1.2亿) are masked
first. Each searchable rule proposes readings; a reading grows over a due/截止 keyword, time of day and a
weekday that agrees with it. Compositions are built from readings: 元旦 + 后三天, two days after +
tomorrow. A weekday next to a date it contradicts, and an offset from an event (验收后30天, within 5 days
of delivery), become blockers: they hide the readings inside them and are never chosen. Overlapping
readings keep the longest; among separate ones a phrase with a due/by/截止/到期/前 keyword wins, then a
strong reading (not a bare "1st", "sat" or "2-3"), then the rightmost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .core import NotMine, Reading, Refusal, Res, note
from .normalize import MASK
from .phrases import (
    ANN,
    CN_KW,
    EN_HEAD,
    EN_KW,
    SEARCH_RULES,
    SUFFIX_WORDS,
    TIME_CN,
    TIME_EN,
    TIME_EN_AFTER,
    ZH_TAIL,
    annotation_has_modifier,
    annotation_weekday,
    check_weekday,
    counted_from,
    en_head_date,
    event_refusal,
    offset,
    resolve,
    zh_offset,
)

_KW_BEFORE = re.compile(rf"(?:(?<![a-z])(?:{EN_KW})\s*:?\s*|(?:{CN_KW})\s*:?\s*)$")
_KW_AFTER = re.compile(rf"\s*(?:{SUFFIX_WORDS})")
_TIME_AFTER = re.compile(rf"[\s,]*(?:{TIME_EN}|{TIME_CN}|{TIME_EN_AFTER})")
_TIME_BEFORE = re.compile(rf"(?<![a-z]){TIME_EN}[\s,]*$")
# A time of day that is also read as today (eod, cob, 当天): next to another day it is that day's time.
_TIME_WORD = re.compile(rf"(?:{TIME_EN}|当天|当日)")
# (a weekday followed by a date annotates that date, not the one before it: "in 3 days (Fri 2026-12-04)")
_ANN_AFTER = re.compile(rf"[\s,，、]*[(（]?{ANN}(?![a-z])[)）]?(?![\s,，、]*[\d一二三四五六七八九十])")
_ANN_BEFORE = re.compile(rf"{ANN}(?![a-z])[\s,，、]*$")
_ZH_TAIL = re.compile(ZH_TAIL)
_EN_HEAD = re.compile(EN_HEAD)
_EVENT_BEFORE = re.compile(r"(?:之后|以后|过后|后|起|开始)\s*$")
_EVENT_AFTER = re.compile(r"\s+(?:after|of|following|from|before|prior\s+to)\s+(?!now|today|tomorrow)[a-z][\w-]*")


@dataclass(frozen=True)
class Cand:
    start: int
    end: int
    res: Reading  # a Refusal blocks the shorter readings inside it and is never chosen
    keyword: bool = False
    core: tuple[int, int] = (0, 0)  # the phrase the notes quote, before keywords were added


def _weekday_next_to(norm: str, start: int, end: int, res: Res, today: date) -> Cand | None:
    """Grow over a weekday written next to the date, or block the date when they disagree."""
    for m, s, e in ((_ANN_AFTER.match(norm, end), start, None), (_ANN_BEFORE.search(norm, 0, start), None, end)):
        if m is None:
            continue
        span = (s if s is not None else m.start(), e if e is not None else m.end())
        text = norm[m.start():m.end()].strip(" ,，、()（）")
        rest = norm[start:end]
        checked = check_weekday(norm[span[0]:span[1]], m, text, rest, res, today)
        if isinstance(checked, Refusal):
            return Cand(span[0], span[1], checked)
        if annotation_has_modifier(m) or annotation_weekday(m) == res.value.weekday():
            return Cand(span[0], span[1], res)
    return None


def _expand(norm: str, start: int, end: int, res: Res, today: date) -> Cand:
    """Grow a match over time of day, 前/之前, a matching weekday and a due/截止 keyword."""
    keyword, core = False, (start, end)
    time_word = _TIME_WORD.fullmatch(norm, start, end) is not None
    if m := _TIME_AFTER.match(norm, end):
        end = m.end()
    if not time_word and (m := _TIME_BEFORE.search(norm, 0, start)):
        start = m.start()  # "eod friday", "by 5pm tomorrow"
    if m := _KW_AFTER.match(norm, end):
        end, keyword = m.end(), True
    # a weekday next to a weekday is a list of days ("digest monday friday"), not an annotation; a
    # weekday next to "eod" / "当天" is the day they are the time of
    grown = None if res.kind == "weekday" or time_word else _weekday_next_to(norm, start, end, res, today)
    if grown is not None:
        if isinstance(grown.res, Refusal):
            return grown
        start, end = grown.start, grown.end
    if m := _KW_BEFORE.search(norm, 0, start):
        start, keyword = m.start(), True
    return Cand(start, end, res, keyword, core)


def _event_blocker(norm: str, start: int, end: int) -> Cand | None:
    """A duration counted from an event word (验收后30天内, within 5 days of delivery) is not ours."""
    if m := _EVENT_BEFORE.search(norm, 0, start):
        if m.start() > 0 and not norm[m.start() - 1].isspace():
            return Cand(m.start(), end, event_refusal(norm[m.start():end]))
    if m := _EVENT_AFTER.match(norm, end):
        return Cand(start, m.end(), event_refusal(norm[start:m.end()]))
    return None


def _compositions(norm: str, today: date, found: list[Cand]) -> list[Cand]:
    """元旦 + 后三天 and two days after + tomorrow; an event instead of a day blocks the phrase."""
    out: list[Cand] = []
    starts = sorted({c.start for c in found if isinstance(c.res, Res)} | {c.core[0] for c in found})
    for m in _ZH_TAIL.finditer(norm):
        p, e = m.span()
        made = None
        for s in starts:
            if s >= p:
                break
            try:
                anchor = resolve(norm[s:p].strip(), today)
            except NotMine:
                continue
            off = zh_offset(m)
            if isinstance(anchor, Res) and off is not None:
                made = Cand(s, e, counted_from(norm[s:e], norm[s:p].strip(), anchor, offset(anchor.value, *off)),
                            core=(s, e))
                break
        if made is None:
            s = p  # the event word before the tail: 验收 of 验收后30天
            while s > 0 and not norm[s - 1].isspace() and norm[s - 1] not in ",.;:，。；：":
                s -= 1
            made = Cand(s, e, event_refusal(norm[s:e]))
        out.append(made)
    for m in _EN_HEAD.finditer(norm):
        if (m["dir"] == "of" and not m["pre"]) or (m["hwd"] and m["dir"] not in ("before", "after")):
            continue
        s, p = m.span()
        anchors = [c for c in found if c.core[0] == p and isinstance(c.res, Res)]
        if anchors:
            a = max(anchors, key=lambda c: c.end)
            assert isinstance(a.res, Res)
            value = en_head_date(m, a.res.value)
            out.append(Cand(s, a.end, counted_from(norm[s:a.end], norm[p:a.core[1]], a.res, value), core=(s, a.end)))
        elif not re.match(r"(?:now|today|tomorrow|yesterday|next|last)(?![a-z])", norm[p:]):
            nxt = re.match(r"[^\s,.;，。；]+", norm[p:])
            end = p + (nxt.end() if nxt else 0)
            out.append(Cand(s, end, event_refusal(norm[s:end])))
    return out


_OR = re.compile(r"\s*(?:或者|或是|或|还是|(?<![a-z])or(?![a-z]))\s*")


_EVERY = re.compile(r"(?:每(?:一个|个|一)?|(?<![a-z])(?:every|each)\s+(?:other\s+|second\s+)?)$")


def _recurring(norm: str, found: list[Cand]) -> list[Cand]:
    """"每周五" / "every Friday" / "每个月底" recur: a blocker, not the first of them."""
    out: list[Cand] = []
    for c in found:
        if isinstance(c.res, Res) and (m := _EVERY.search(norm, 0, c.start)):
            out.append(Cand(m.start(), c.end, Refusal(note("date.refuse.recurring", phrase=norm[m.start():c.end]))))
    return out


def _alternatives(norm: str, found: list[Cand]) -> list[Cand]:
    """"明天或后天" / "friday or monday" names two days: a blocker over both, never one of them."""
    dated = [c for c in found if isinstance(c.res, Res)]
    out: list[Cand] = []
    for a in dated:
        for b in dated:
            if a.end <= b.start and _OR.fullmatch(norm, a.end, b.start):
                out.append(Cand(a.start, b.end, Refusal(note("date.refuse.alternatives", phrase=norm[a.start:b.end]))))
    return out


def candidates(norm: str, today: date) -> list[Cand]:
    masked = [m.span() for m in MASK.finditer(norm)]
    found: list[Cand] = []
    for r in SEARCH_RULES:
        for m in r.pattern.finditer(norm):
            s, e = m.span()
            if s == e or any(s < me and ms < e for ms, me in masked):
                continue
            try:
                res = r.resolve(m, today)
            except NotMine:
                continue
            if not isinstance(res, Res):
                found.append(Cand(s, e, res or Refusal(), core=(s, e)))
                continue
            found.append(_expand(norm, s, e, res, today))
            if res.kind == "duration" and (blocker := _event_blocker(norm, s, e)):
                found.append(blocker)
    found += _compositions(norm, today, found)
    return found + _alternatives(norm, found) + _recurring(norm, found)


def choose(cands: list[Cand]) -> Cand | None:
    """Keep the longest of overlapping readings, then prefer keyworded, strong, rightmost."""
    kept: list[Cand] = []
    for c in sorted(cands, key=lambda c: (c.end - c.start, c.end), reverse=True):
        if all(c.end <= k.start or k.end <= c.start for k in kept):
            kept.append(c)
    valid = [c for c in kept if isinstance(c.res, Res)]
    if not valid:
        blockers = [c for c in kept if isinstance(c.res, Refusal) and c.res.note is not None]
        return max(blockers, key=lambda c: c.end) if blockers else None
    return max(valid, key=lambda c: (c.keyword, c.res.strong, c.end))  # type: ignore[union-attr]


# What may stand around a date in a phrase that names only that day: "春节前付款", "节后上线", "pay by Friday".
_ZH_FILLER = ("付款|支付|付清|打款|汇款|回款|到账|结算|结清|交付|交货|发货|送货|上线|投产|完成|做完|搞定|提交|交|给|发|"
              "开票|签约|签合同|验收|办理|处理|安排|开会|见面|碰头|出发|复工|开工|放假|还款|还钱|截止|到期|"
              "前|之前|以前|为止|请|要|需要|必须|务必|得|需|应|应该|把|在|于|就|再|吧|了|的|是|都|会|能|可以|"
              "我们|我|你们|你|他们|他|咱们|大家|一下|左右|大概|大约|约|那天|当天|时候|记得|别忘了|之内|以内|内|"
              "麻烦|帮忙|帮我|回复|答复|反馈|确认|通知|联系|给我|发我|能否|可否|能|可|好|行|争取|尽量|最好|一定|"
              "吗|呢|啊|呀|哦|嘛|哈|呗|开始|起|生效|失效|结束|到|从|自")
_EN_FILLER = (r"pay|payment|paid|invoice|deliver|delivery|ship|shipping|launch|go\s+live|release|submit|send|"
              "complete|finish|finished|done|due|deadline|is|are|the|on|by|at|it|we|will|should|must|let's|"
              "please|meet|meeting|call|sign|signing|kickoff|start|starts|ends|around|about|sometime|ok|i|you|"
              "can|do|be|have|has|need|needs|to|get|it's|that's|that|was|of|for|a|an|and|then|so|our|my|"
              r"effective|starting|beginning|begins|commencing|commences|from|through|thru|until|till|"
              r"expires|expiring|expiry|ending|valid|reply|respond|confirm|could|would|"
              r"let\s+me\s+know|thanks|thank\s+you")
_FILLER = re.compile(rf"(?:{_ZH_FILLER}|(?<![a-z])(?:{_EN_FILLER})(?![a-z])|[\s,.;:!?，。；：！？、])*")


def read_inside(s: str, today: date) -> Reading | None:
    """Read a phrase that is one date and filler words ("春节前付款"); None when it is not that."""
    best = choose(candidates(s, today))
    if best is None:
        return None
    if isinstance(best.res, Refusal):
        return best.res
    if _FILLER.fullmatch(s[: best.start] + " " + s[best.end:]):
        return best.res
    return None
