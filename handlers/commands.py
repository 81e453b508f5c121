"""The command registry: every command once, with its aliases in both languages, slots, parser, example and handler.

The README form of a line is read here (``parse``); the use case that carries a command out is found here
(``run``); help is built from here (``help_reply``). Adding a command is one ``Spec`` in ``REGISTRY``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers import grammar as g
from handlers import grammar_ledger as gl
from handlers.context import Ctx
from handlers.errors import UserError
from handlers.i18n import t
from handlers.replies import Reply
from handlers.understand import Question
from handlers.usecases.admin import Members, history, members, parse_members, set_role
from handlers.usecases.answers import answer
from handlers.usecases.changes import PendingChanges, decide_change, pending_changes, request_change
from handlers.usecases.contracts import create_contract, show_contract
from handlers.usecases.corrections import delete_milestone, edit
from handlers.usecases.email import SetEmail, parse_email, set_email
from handlers.usecases.exports import CalendarFeed, Export, calendar, export, parse_calendar, parse_export
from handlers.usecases.followup import add_note, reassign, set_reminders, snooze
from handlers.usecases.imports import ImportLedger, import_ledger, parse_import
from handlers.usecases.listing import list_items
from handlers.usecases.milestones import add_milestone, complete_milestone, waive_milestone
from handlers.usecases.payments import receivables, record_payment, undo_payment
from handlers.usecases.renewals import end_contract, renew
from handlers.usecases.reports import Report, Review, parse_report, parse_review, report, review
from handlers.usecases.settings import settings

# (words after the verb, now, time zone, a correct example in the user's language, the user's language) -> command
Parser = Callable[[str, datetime, str, str, str], object]
Handler = Callable[[Ctx, Any], list[Reply]]


@dataclass(frozen=True)
class Spec:
    """One command: what people type to call it, what it takes, how it is read and who carries it out."""

    verb: str
    aliases: tuple[str, ...]  # English and Chinese; the first English and first Chinese one are shown in help
    slots: dict[str, str]  # {"en": "NUMBER MILESTONE …", "zh": "编号 节点 …"}: the usage line of help
    section: str  # contracts | reminders | money | team
    parse: Parser
    handler: Handler | None  # None: a list alias whose parser returns another command (mine -> ListItems)
    command_type: type | None = None


def _no_args(make: Callable[[], object]) -> Parser:
    return lambda words, now, tz, ex, lang: make()


def _numbered(make: Callable[[str, str], object]) -> Parser:
    def parse(words: str, now: datetime, tz: str, ex: str, lang: str) -> object:
        number, rest = g._number_and_rest(words, ex)
        return make(number, rest)

    return parse


def _done(words: str, now: datetime, tz: str, ex: str, lang: str) -> g.CompleteMilestone:
    """done NUMBER [MILESTONE] [on DATE]: a day at the end is when it was done (not today)."""
    number, rest = g._number_and_rest(words, ex)
    title, day = g.take_done_on(rest, now=now, tz=tz, ex=ex)
    return g.CompleteMilestone(number, title.strip(), day)


def _list_alias(alias: str) -> Parser:
    """mine / overdue / week / next / previous typed as the verb: that list, with a page if one is given."""
    return lambda words, now, tz, ex, lang: g._parse_list(words, lang, alias=alias)


def _note(words: str, now: datetime, tz: str, ex: str, lang: str) -> g.AddNote:
    number, rest = g._number_and_rest(words, ex)
    if not rest:
        raise UserError("err.note_empty", example=ex)
    return g.AddNote(number, rest)


def _settings(words: str, now: datetime, tz: str, ex: str, lang: str) -> g.Settings:
    try:
        return g._parse_settings(words)
    except UserError as err:
        err.example = ex
        raise


def _show_help(ctx: Ctx, cmd: g.Help) -> list[Reply]:
    return [help_reply(ctx.lang)]


REGISTRY: tuple[Spec, ...] = (
    Spec("new", ("new", "create", "add", "新建", "新增", "创建", "新合同", "录入"),
         {"en": 'new NUMBER "TITLE" COUNTERPARTY AMOUNT [CURRENCY] [ends DATE] [starts DATE] [signed DATE] '
                "[owner @name] [notice 30 days] [auto-renew] [opp ID] [order ID] [channel #name]",
          "zh": "新建 编号 名称 对方 金额 [币种] [到期 日期] [开始 日期] [签订 日期] [负责人 @某人] [提前30天通知] "
                "[自动续约] [商机 编号] [订单 编号] [频道 #名称]"},
         "contracts", lambda w, now, tz, ex, lang: g._parse_new(w, now=now, tz=tz, ex=ex), create_contract,
         g.NewContract),
    Spec("milestone", ("milestone", "ms", "节点", "里程碑"),
         {"en": "milestone NUMBER NAME [30% | AMOUNT] [due] DATE | N days after EVENT [owner @name]",
          "zh": "节点 编号 名称 [30% | 金额] 日期 | 事件后N天 [负责人] @某人"},
         "contracts", lambda w, now, tz, ex, lang: g._parse_milestone(w, now=now, tz=tz, ex=ex), add_milestone,
         g.AddMilestone),
    Spec("done", ("done", "complete", "finish", "完成", "已完成"),
         {"en": "done NUMBER [MILESTONE] [on DATE]", "zh": "完成 编号 [节点] [于 日期]"},
         "contracts", _done, complete_milestone,
         g.CompleteMilestone),
    Spec("show", ("show", "view", "查看", "详情"), {"en": "show NUMBER", "zh": "查看 编号"},
         "contracts", _numbered(lambda n, rest: g.ShowContract(n)), show_contract, g.ShowContract),
    Spec("edit", ("edit", "fix", "correct", "修改", "更正"),
         {"en": "edit NUMBER [MILESTONE] title|counterparty|amount|currency|starts|ends|signed|owner|channel|kind "
                "VALUE",
          "zh": "修改 编号 [节点] 名称|对方|金额|币种|开始|到期|签订|负责人|频道|类型 值"},
         "contracts", lambda w, now, tz, ex, lang: gl._parse_edit(w, now=now, tz=tz, ex=ex), edit, gl.Edit),
    Spec("delete", ("delete", "remove", "删除", "删掉"),
         {"en": "delete NUMBER MILESTONE [reason TEXT]", "zh": "删除 编号 节点 [原因 内容]"},
         "contracts", lambda w, now, tz, ex, lang: gl._parse_delete(w, ex), delete_milestone, gl.DeleteMilestone),
    Spec("list", ("list", "ls", "列表", "清单"),
         {"en": "list | list mine | list overdue | list due this week [page N] · next page",
          "zh": "列表 | 我的 | 逾期 | 本周到期 [第N页] · 下一页"},
         "contracts", lambda w, now, tz, ex, lang: g._parse_list(w, lang), list_items, g.ListItems),
    Spec("mine", ("mine", "我的"), {}, "contracts", _list_alias("mine"), None),
    Spec("overdue", ("overdue", "逾期"), {}, "contracts", _list_alias("overdue"), None),
    Spec("week", ("本周到期", "本周"), {}, "contracts", _list_alias("week"), None),
    # not "next": "next Friday" answers a question about a date (see split_verb for "next page")
    Spec("next", ("more", "下一页", "下页", "更多"), {}, "contracts", _list_alias("next"), None),
    Spec("previous", ("previous", "prev", "上一页", "上页"), {}, "contracts", _list_alias("previous"), None),
    Spec("snooze", ("snooze", "postpone", "延后", "推迟", "稍后提醒"),
         {"en": "snooze NUMBER MILESTONE 3d | until DATE", "zh": "延后 编号 节点 3天 | 到 日期"},
         "reminders", lambda w, now, tz, ex, lang: g._parse_snooze(w, now=now, tz=tz, ex=ex), snooze, g.Snooze),
    Spec("reassign", ("reassign", "assign", "转交", "指派", "转派"),
         {"en": "reassign NUMBER MILESTONE @bob", "zh": "转交 编号 节点 @王五"},
         "reminders", lambda w, now, tz, ex, lang: g._parse_reassign(w, ex), reassign, g.Reassign),
    Spec("note", ("note", "comment", "备注", "评论"),
         {"en": "note NUMBER MILESTONE: TEXT", "zh": "备注 编号 节点：内容"}, "reminders", _note, add_note,
         g.AddNote),
    Spec("remind", ("remind", "reminders", "提醒"),
         {"en": "remind NUMBER [MILESTONE] 14,7,1", "zh": "提醒 编号 [节点] 14,7,1"},
         "reminders", lambda w, now, tz, ex, lang: g._parse_remind(w, ex), set_reminders, g.SetReminders),
    Spec("settings", ("settings", "setting", "config", "设置", "配置"),
         {"en": "settings [timezone|time|stages|overdue|escalation|routing|holidays|currency|language|channel|digest VALUE]",
          "zh": "设置 [时区|时间|提醒|逾期|升级|发送|节假日|币种|语言|频道|周报 值]"},
         "reminders", _settings, settings, g.Settings),
    Spec("paid", ("paid", "payment", "received", "回款", "收款", "到账"),
         {"en": "paid NUMBER AMOUNT [on DATE] [for MILESTONE] [note TEXT]", "zh": "回款 编号 金额 [日期] [节点] [备注 内容]"},
         "money", lambda w, now, tz, ex, lang: gl._parse_paid(w, now=now, tz=tz, ex=ex), record_payment,
         gl.RecordPayment),
    Spec("undo", ("undo", "reverse", "撤销", "冲销"), {"en": "undo P-3", "zh": "撤销 P-3"},
         "money", lambda w, now, tz, ex, lang: gl._parse_undo(w, ex), undo_payment, gl.UndoPayment),
    Spec("waive", ("waive", "writeoff", "write-off", "核销", "免收", "豁免"),
         {"en": "waive NUMBER MILESTONE reason TEXT", "zh": "核销 编号 节点 原因 内容"},
         "money", lambda w, now, tz, ex, lang: gl._parse_waive(w, ex), waive_milestone, gl.WaiveMilestone),
    Spec("receivables", ("receivables", "ar", "ageing", "aging", "应收", "应收款", "账龄"),
         {"en": "receivables", "zh": "应收"}, "money", _no_args(gl.Receivables), receivables, gl.Receivables),
    Spec("renew", ("renew", "续约", "续签"),
         {"en": "renew NUMBER to DATE [amount X]", "zh": "续约 编号 至 日期 [金额 X]"},
         "money", lambda w, now, tz, ex, lang: gl._parse_renew(w, now=now, tz=tz, ex=ex), renew, gl.Renew),
    Spec("end", ("end", "terminate", "终止"), {"en": "end NUMBER [reason]", "zh": "终止 编号 [原因]"},
         "money", _numbered(gl.EndContract), end_contract, gl.EndContract),
    Spec("change", ("change", "amend", "变更"),
         {"en": "change NUMBER [MILESTONE] due|amount|owner|scope|end VALUE [reason TEXT]",
          "zh": "变更 编号 [节点] 截止|金额|负责人|范围|到期 值 [原因 内容]"},
         "money", lambda w, now, tz, ex, lang: gl._parse_change(w, now=now, tz=tz, ex=ex), request_change,
         gl.RequestChange),
    Spec("approve", ("approve", "批准", "同意"), {"en": "approve CR-1", "zh": "批准 CR-1"},
         "money", lambda w, now, tz, ex, lang: gl._parse_decide(w, ex, True), decide_change, gl.DecideChange),
    Spec("reject", ("reject", "decline", "驳回", "拒绝"), {"en": "reject CR-1 [reason]", "zh": "驳回 CR-1 [原因]"},
         "money", lambda w, now, tz, ex, lang: gl._parse_decide(w, ex, False), None),
    Spec("pending", ("pending", "approvals", "待审批"), {"en": "pending", "zh": "待审批"},
         "money", _no_args(PendingChanges), pending_changes, PendingChanges),
    Spec("report", ("report", "reports", "kpi", "kpis", "报表", "报告", "统计"),
         {"en": "report [this month | last month | Q1 | 2027 | last 30 days] [owner @name] [COUNTERPARTY]",
          "zh": "报表 [本月 | 上个月 | 本季度 | 2027年 | 最近30天] [负责人 @某人] [对方]"},
         "money", parse_report, report, Report),
    Spec("review", ("review", "retro", "retrospective", "复盘", "回顾"), {"en": "review NUMBER", "zh": "复盘 编号"},
         "money", parse_review, review, Review),
    Spec("import", ("import", "导入"),
         {"en": "import (with an .xlsx or .csv ledger attached) · import confirm · import cancel",
          "zh": "导入（附上 .xlsx 或 .csv 台账）· 导入 确认 · 导入 取消"},
         "contracts", parse_import, import_ledger, ImportLedger),
    Spec("history", ("history", "历史", "记录"), {"en": "history NUMBER", "zh": "历史 编号"},
         "team", lambda w, now, tz, ex, lang: gl.History(g._number_and_rest(w, ex)[0]), history, gl.History),
    Spec("export", ("export", "download", "导出", "下载"),
         {"en": "export [csv] [overdue] [@name] [2027 | Q1 | this month]",
          "zh": "导出 [csv] [逾期] [@某人] [2027年 | 本季度 | 本月]"},
         "team", parse_export, export, Export),
    Spec("calendar", ("calendar", "ical", "日历", "订阅日历"),
         {"en": "calendar [team] [reset]", "zh": "日历 [团队] [重置]"},
         "reminders", parse_calendar, calendar, CalendarFeed),
    Spec("email", ("email", "e-mail", "邮箱", "电子邮箱", "邮件"),
         {"en": "email [@name] ADDRESS | off | on | remove", "zh": "邮箱 [@某人] 地址 | 关闭 | 开启 | 删除"},
         "reminders", parse_email, set_email, SetEmail),
    Spec("role", ("role", "角色"), {"en": "role @name admin|member|viewer", "zh": "角色 @某人 管理员|成员|查看者"},
         "team", lambda w, now, tz, ex, lang: gl._parse_role(w, ex), set_role, gl.SetRole),
    Spec("members", ("members", "成员", "团队成员"), {"en": "members", "zh": "成员"}, "team",
         parse_members, members, Members),
    Spec("help", ("help", "?", "？", "帮助", "帮忙", "说明"), {"en": "help", "zh": "帮助"},
         "team", lambda w, now, tz, ex, lang: g.Help(w), _show_help, g.Help),
)

BY_VERB: dict[str, Spec] = {spec.verb: spec for spec in REGISTRY}
_VERB_OF: dict[str, str] = {alias.lower(): spec.verb for spec in REGISTRY for alias in spec.aliases}
# Chinese verbs may be typed without a space: 完成HT-2026-002 首付款
_ZH_ALIASES = sorted((a for a in _VERB_OF if re.search(r"[\u4e00-\u9fff]", a)), key=len, reverse=True)
_HANDLERS: dict[type, Handler] = {
    spec.command_type: spec.handler for spec in REGISTRY if spec.command_type is not None and spec.handler
}
_HANDLERS[Question] = answer


@dataclass(frozen=True)
class Parsed:
    """A parsed command and the language it was typed in."""

    command: object
    lang: str


def aliases() -> list[str]:
    """Every verb people can type, for "did you mean"."""
    return list(_VERB_OF)


def split_verb(text: str) -> tuple[str, str, str]:
    """Return (verb, the text after it, the verb as typed); verb is '' when none is known."""
    text = text.strip()
    first, _, rest = text.partition(" ")
    verb = _VERB_OF.get(first.lower())
    if verb is not None:
        return verb, rest.strip(), first
    for alias in _ZH_ALIASES:
        if text.startswith(alias):
            return _VERB_OF[alias], text[len(alias):].strip(), alias
    if text.lower() in ("due this week", "this week"):
        return "week", "", text
    if text.lower() in ("next page", "previous page"):
        return text.lower().split(" ")[0], "", text
    return "", text, first


def parse(text: str, *, now: datetime, tz: str, lang_hint: str = "en") -> Parsed:
    """Read one line in README form; raise UserError with a reason and an example when it cannot be read."""
    text = text.replace("\u3000", " ").strip()
    verb, words, typed = split_verb(text)
    lang = g.detect_language(typed) or g.detect_language(text) or lang_hint
    if not text:
        return Parsed(g.Help(), lang)
    if not verb:
        raise UserError("err.unknown_command", example=g.example_for("help", lang), got=typed[:40])
    return Parsed(BY_VERB[verb].parse(words, now, tz, g.example_for(verb, lang), lang), lang)


def run(ctx: Ctx, command: object) -> list[Reply]:
    """Carry out one command with the use case registered for its type."""
    return _HANDLERS[type(command)](ctx, command)


_SECTIONS = ("contracts", "reminders", "money", "team")


def help_reply(lang: str) -> Reply:
    """The command reference, built from the registry, in the user's language."""
    reply = Reply(title=t("help.title", lang), lang=lang)
    for section in _SECTIONS:
        reply.add(t(f"help.section.{section}", lang))
        for spec in REGISTRY:
            if spec.section != section or not spec.slots:
                continue
            reply.add(f"  {spec.slots[lang]}")
            example = g.example_for(spec.verb, lang)
            if example.split(" ")[1:] != spec.slots[lang].split(" ")[1:]:
                reply.add(f"      {t('error.example', lang, example=example)}")
    for line in t("help.footer", lang).split("\n"):
        reply.add(line)
    return reply
