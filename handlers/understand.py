"""Reading free text: commands in any word order, questions, and the README form a line stands for.

People type the way they talk: ``HT-2027-102 的交付验收做完了``, ``Contoso wired 600,000 today for the first
payment on HT-2027-101``, ``what's overdue?``. This module turns such a line into the same typed command the
README form gives (``done HT-2027-102 交付验收``), or into a question to answer, or into a question to ask back.

It works by slots, not by sentence patterns:

1. normalise (NFKC: full-width letters, digits and punctuation; a leading bot mention; politeness);
2. find the contract (a number anywhere in the line, else a counterparty or title the team has);
3. find the intent from the verbs and question words anywhere in the line;
4. cut out what is recognisable (mentions, the date, amounts, percentages, quoted names, labelled fields);
5. what is left must be a name (a milestone, a title, a counterparty) or filler; a token that looks like a
   broken number or date (``1e30``, ``12.345.678``, ``yesterday-ish``) refuses the command, naming it.

Whatever is uncertain becomes a question (see ``Ask``), never a guess that is written silently.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from dateutil.relativedelta import relativedelta

from handlers import amounts, dates, relative
from handlers.errors import UserError
from handlers.grammar import (
    AUTO_RENEW_RE,
    MENTION_RE,
    NOTICE_RE,
    QUOTED_RE,
    AddMilestone,
    AddNote,
    CompleteMilestone,
    DateValue,
    Help,
    ListItems,
    NewContract,
    OwnerRef,
    Reassign,
    SetReminders,
    ShowContract,
    Snooze,
    date_error,
    example_for,
    milestone_kind,
    take_done_on,
)
from handlers.grammar_ledger import EndContract, Receivables, RecordPayment, Renew, RequestChange
from handlers.numerals import NUMERAL_CHARS, cn_int
from handlers.periods import read_period

# --- what the reader needs to know about the team -----------------------------------------------------


class Team(Protocol):
    """The little the reader asks of the team's ledger (implemented over the database in handlers.core)."""

    def has_contract(self, number: str) -> bool: ...

    def contracts_named(self, text: str, words: list[str]) -> list[tuple[str, str, str]]:
        """(number, title, counterparty) of the contracts whose name or counterparty the text mentions."""
        ...

    def milestone_titles(self, number: str, *, open_only: bool) -> list[str]: ...

    def counterparties(self) -> set[str]: ...

    def contract_end(self, number: str) -> date | None: ...

    def milestone_due(self, number: str, title: str) -> date | None: ...

    def milestone_owed(self, number: str, title: str) -> Decimal | None:
        """What is still owed on an open payment milestone (None when it has no amount)."""
        ...


# --- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """A question about the ledger, answered in a line or two (handlers.usecases.answers)."""

    topic: str  # outstanding | owner | due | paid | ends | value | person_overdue | person_week
    number: str = ""
    milestone: str = ""
    who: OwnerRef | None = None


@dataclass(frozen=True)
class Ask:
    """Ask the person before anything is written.

    ``choose``: options are README commands; yes/1 takes the first, 2 the second ...
    ``fill``: ``template`` is a README command with ``{}`` where the answer goes; ``slot`` names what is asked.
    """

    kind: str
    prompt_key: str
    params: dict[str, str] = field(default_factory=dict)
    options: tuple[tuple[str, str], ...] = ()  # (label, README command)
    template: str = ""
    slot: str = ""
    on_cancel: str = ""  # a README command run when the person cancels (what the question holds is let go)


@dataclass(frozen=True)
class Reading:
    """What a line means: a command (with the README form it was read as) or a question to ask back."""

    lang: str
    command: object | None = None
    canonical: str | None = None
    ask: Ask | None = None


# --- normalising --------------------------------------------------------------------------------------

_BOT_MENTION = re.compile(
    r"^\s*(?:@\s?(?:contract[\s_-]?bot|contractbot|bot|合同机器人|合同助手|机器人)\b|<@[A-Z0-9]+(?:\|[^>]*bot[^>]*)?>)"
    r"[\s,:]*", re.IGNORECASE)
_EN_POLITE = re.compile(
    r"^\s*(?:(?:hey|hi|hello|ok|okay|yo)\s+(?:bot|there|contractbot)?[\s,!:]*|(?:please|pls|plz|kindly)\s+"
    r"|(?:can|could|would|will)\s+you\s+(?:please\s+)?|i\s+(?:want|need|would\s+like)\s+to\s+|let's\s+)",
    re.IGNORECASE)
_EN_POLITE_END = re.compile(r"[\s,]*(?:please|pls|plz|thanks|thank\s+you|thx|asap)[\s.!]*$", re.IGNORECASE)
_ZH_POLITE = re.compile(r"^\s*(?:请问一下|请问|请你|请帮我|请帮忙|请|麻烦你|麻烦|帮我|帮忙|你好|您好|嗨|那个)[\s,，:：]*")
_ZH_FILLER = re.compile(r"一下|谢谢|多谢|辛苦了|[吧啊呀哈]+(?=[\s,。!?]|$)")


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), one space between words, no leading bot mention or politeness."""
    # full-width separators are never inside a number: keep them apart from digits before NFKC folds them
    text = re.sub(r"(?<![0-9０-９])([，；、：。])|([；、：。])|([，])(?![0-9０-９])",
                  lambda m: (m.group(1) or m.group(2) or m.group(3)) + " ", text)
    text = unicodedata.normalize("NFKC", text).replace("\u3000", " ")
    text = re.sub(r"[\u200b-\u200f\ufeff]", "", text)
    # a space after punctuation typed without one (20%,下个月15号 / 二百万,明年), but not inside 1,200,000 or 10:00
    text = _outside_quotes(text, lambda part: re.sub(r"(?<!\d)([,;、。])(?!\s)|([,;、。])(?=[^\d\s])",
                                                     lambda m: (m.group(1) or m.group(2)) + " ", part))
    text = re.sub(r"\s+", " ", text).strip()
    # "HT 2027 103" / "ht2027-103": a contract number typed with spaces
    text = re.sub(r"\b([A-Z]{1,5}|[a-z]{1,3})[ ](\d{4})[ ](\d{2,5})\b", r"\1-\2-\3", text)
    for _ in range(3):
        before = text
        text = _BOT_MENTION.sub("", text)
        text = _EN_POLITE.sub("", text)
        text = _ZH_POLITE.sub("", text)
        if text == before:
            break
    text = _EN_POLITE_END.sub("", text)
    text = _ZH_FILLER.sub("", text)
    return text.strip()


def _outside_quotes(text: str, change: Callable[[str], str]) -> str:
    """Apply ``change`` to the parts of text that are not quoted names."""
    out, last = [], 0
    for m in QUOTED_RE.finditer(text):
        out.append(change(text[last:m.start()]))
        out.append(m.group())
        last = m.end()
    out.append(change(text[last:]))
    return "".join(out)


def reply_language(text: str, default: str) -> str:
    """Chinese when the line has Chinese in it; English for Latin words other than contract numbers."""
    if re.search(r"[\u3400-\u9fff]", text):
        return "zh"
    bare = NUMBER_RE.sub(" ", MENTION_RE.sub(" ", text))
    if re.search(r"[A-Za-z]{2,}", bare):
        return "en"
    return default


# --- contract numbers ---------------------------------------------------------------------------------

NUMBER_RE = re.compile(r"(?<![A-Za-z0-9_/])([A-Za-z]{1,10}-[A-Za-z0-9_\-/]*\d[A-Za-z0-9_\-/]*|[A-Za-z]{1,10}\d{3,}[A-Za-z0-9_\-/]*)"
                       r"(?![A-Za-z0-9_])")
_NOT_CONTRACT = re.compile(r"^(?:P|PAY|CR)-?\d+$", re.IGNORECASE)


# --- the words of each intent -------------------------------------------------------------------------


def _words(*items: str) -> re.Pattern[str]:
    """A pattern for English words (on word boundaries) and Chinese words (anywhere)."""
    en = [w for w in items if not re.search(r"[\u3400-\u9fff]", w)]
    zh = [w for w in items if re.search(r"[\u3400-\u9fff]", w)]
    parts = []
    if en:
        parts.append(r"(?<![A-Za-z])(?:" + "|".join(sorted(en, key=len, reverse=True)) + r")(?![A-Za-z])")
    if zh:
        parts.append("(?:" + "|".join(sorted(zh, key=len, reverse=True)) + ")")
    return re.compile("|".join(parts), re.IGNORECASE)


QUESTION = re.compile(
    r"[?？]|吗|么|呢\s*$|了没有?\s*$|没有?\s*$|多少|哪天|哪一天|几号|何时|什么时候|谁|哪些|哪个|有没有|是否|几个|几天|多久"
    r"|^\s*(?:what|what's|whats|when|when's|who|who's|whose|how|how's|is|are|does|do|did|has|have|which|any|anything|where)\b",
    re.IGNORECASE)

NEW_VERB = _words(r"new", r"add", r"create", r"register", r"log", r"record", r"enter", r"open", r"set\s+up", r"sign(?:ed)?",
                  "新建", "新签", "新增", "新录", "录入", "录", "建", "创建", "添加", "加", "登记", "签了", "签约", "新合同")
CONTRACT_WORD = _words(r"contracts?", r"deal", r"agreement", "合同", "协议")
MILESTONE_WORD = _words(r"milestones?", r"ms", "节点", "里程碑")
ADD_VERB = _words(r"add", r"new", r"create", r"log", r"set\s+up", r"schedule", r"plan", r"put\s+in",
                  "添加", "新增", "增加", "加一个", "加个", "加上", "加", "录入", "登记节点", "设置")
DONE_VERB = _words(r"done", r"finished", r"finish", r"completed?", r"close(?:d)?\s+out", r"closed?", r"wrapped\s+up",
                   r"mark(?:ed)?\s+(?:as\s+)?(?:done|complete|completed|finished)", r"signed\s+off", r"delivered",
                   r"accepted", r"✅", r"✔️?", r"☑️?", "勾掉", "打勾", "划掉", "通过了", "已通过", "搞完", "弄好了", "签字确认", "确认了", "已完成", "完成", "搞定", "做完", "弄完", "关掉", "关闭", "结掉", "标记为完成", "办完",
                   "结束了", "已交付")
PAID_VERB = _words(r"paid", r"pays?", r"wired", r"transferred", r"received", r"got\s+(?:the\s+)?(?:money|payment|cash)",
                   r"got", r"collected", r"log\s+(?:a\s+)?payment", r"record\s+(?:a\s+)?payment", r"payment\s+of",
                   r"came\s+in", r"arrived", r"remitted", r"settled", r"sent", r"payment\s+in", r"paid\s+in", r"receipt",
                   "回款", "到账", "打款", "打来", "打了", "收到", "(?<!验)收款", "登记回款", "汇款", "汇来", "付了", "付款了",
                   "已付", "转来", "转账", "(?<=款)到了", "钱到了", "(?<=款)已到")
SNOOZE_VERB = _words(r"snooze", r"remind\s+me", r"hold\s+(?:the\s+)?reminders?", r"pause\s+(?:the\s+)?reminders?",
                     r"mute", r"stop\s+reminding", r"silence", r"quiet",
                     "再提醒", "提醒我", "暂停提醒", "再说", "先停", r"stop\s+pinging", r"stop\s+nagging", "延后", r"(?:延后|推迟|晚|过)(?=\S{0,5}提醒)", r"提醒(?=\S{0,3}(?:延后|推迟))", "先别提醒", "别提醒", "不要提醒", "稍后提醒", "晚点提醒", "延后提醒")
REASSIGN_VERB = _words(r"reassign", r"assign(?:ed)?", r"hand(?:ed)?(?:\s+\S+){0,6}?\s+over", r"hand\s+over",
                       r"hand\s+off", r"give", r"take\s+over", r"takes\s+over", r"should\s+own", r"will\s+own",
                       r"owns?\s+it\s+now", r"transfer(?:red)?\s+to", r"transfer", r"let(?=\s+@)", r"to(?=\s*@)",
                       r"owner\s+(?:is\s+)?now", r"change\s+owner",
                       "转交", "交给", "改由", "换成", "改成", "换人", "指派", "转给", "转派", "来跟", "来负责", "接手", r"让(?=\s*@)", "管吧",
                       "负责人改", "负责人换")
CHANGE_VERB = _words(r"delay(?:ed|s)?", r"push(?:ed)?\s+(?:back|out)", r"push", r"postpone[ds]?", r"move[ds]?",
                     r"reschedule[ds]?", r"shift(?:ed)?", r"slip(?:ped|s)?", r"change[ds]?", r"forward", r"bring\s+forward", r"pull\s+in", r"change\s+(?:the\s+)?due",
                     "延期", "推迟", "往后挪", "往后推", "后延", "顺延", "改到", "调整为", "调整到", "挪到", "提前到",
                     "改期", "延到", "推到", "推后", "改成", "改为", "申请把", r"提前(?=\S{0,3}[天周月])")
RENEW_VERB = _words(r"renew(?:ed|s)?(?!al)", r"extend(?:ed)?", r"signed\s+on\s+for", r"prolong(?:ed)?",
                    "续签", "续约", "续到", "续期", "延长到", "延长", "续了", "续")
END_VERB = _words(r"terminat(?:e|ed|ion)", r"cancel(?:led)?\s+(?:the\s+)?(?:contract|deal)", r"end\s+(?:the\s+)?contract",
                  "终止", "解约", "不续约了", "不续了")
SHOW_VERB = _words(r"show", r"pull\s+up", r"open", r"details?", r"view", r"look\s+up", r"status", r"info",
                   r"what's\s+up\s+with", r"how's", r"tell\s+me\s+about",
                   "打开", "看一下", "看看", "查看", "查一下", "查", "看", "调出", "调一下", "详情", "什么情况", "怎么样了", "进展", "情况", "状态")
HELP_WORD = _words(r"help", r"commands", r"how\s+do\s+i", r"what\s+can\s+you\s+do", r"how\s+does\s+this\s+work",
                   "帮助", "怎么用", "使用说明", "命令", "你能做什么", "能干什么", "你会什么")
NOTE_VERB = _words(r"note", r"comment", "备注", "备忘", "评论")
RECEIVABLES_WORD = _words(r"receivables?", r"a/r", r"ageing", r"aging", r"money\s+owed\s+to\s+us",
                          "应收", "应收款", "账龄", "回款情况", "欠款总额")
MINE_WORD = _words(r"(?:what|anything)\s+(?:do\s+)?i\s+(?:have|own|need)", r"my\s+open\s+\w+", r"my\s+plate", r"on\s+my\s+plate", r"my\s+milestones", r"my\s+tasks", r"my\s+items", r"mine",
                   r"assigned\s+to\s+me", r"do\s+i\s+(?:have|own)", r"i\s+(?:have|own)", r"my\s+to-?do",
                   "我手上", "我名下", "我的待办", "我负责", "我的节点", "我的", "待办", "我还有", "我有", "我这周", "我本周",
                   "这周我", "本周我", "我要做", "轮到我")
OVERDUE_WORD = _words(r"overdue", r"late", r"past\s+due", r"slipped", "逾期", "超期", "过期", "延误", "拖欠")
WEEK_WORD = _words(r"this\s+week", r"this\s+wk", r"the\s+week", r"next\s+7\s+days", r"coming\s+up", "本周", "这周", "这礼拜",
                   "这星期", "本星期", "这个星期", "这个礼拜")
LIST_WORD = _words(r"list", r"all\s+contracts", r"contracts", r"everything", "列表", "清单", "所有合同", "全部合同")

# question topics
Q_NEXT = _words(r"next\s+(?:milestone|step|payment|deadline|thing)", r"what's\s+next", r"coming\s+up\s+next",
                "下一个节点", "下一步", "下个节点", "接下来")
OWNER_WORD = _words(r"owner", r"owned\s+by", r"responsible", "负责人", "负责")
Q_OUTSTANDING = _words(r"outstanding", r"owed?", r"owing", r"still\s+unpaid", r"left\s+to\s+(?:pay|collect)",
                       r"unpaid", r"remaining", r"balance", r"to\s+collect",
                       "还欠", "欠多少", "没收回", "未收", "没收", "没回", "未回", "还有多少", "剩多少", "剩余", "尚欠", "待收", "还差")
Q_PAID = _words(r"paid", r"received?", r"receiving", r"collected", r"get\s+paid", r"got\s+paid", r"in\s+yet", r"come\s+in", r"arrived", r"settled", r"pay",
                "收到", "到账", "付了", "回款了", "付款了", "结清", "打过来", "回了")
Q_OWNER = _words(r"who", r"who's", r"whose", r"owner", r"handling", r"responsible", "谁", "负责人", "在跟")
Q_WHEN = _words(r"when", r"when's", r"what\s+date", r"which\s+day", r"due\s+date", r"deadline",
                "哪天", "哪一天", "几号", "什么时候", "何时", "日期", "截止")
Q_END = _words(r"end", r"ends", r"expire", r"expires", r"expiry", r"run\s+out", "到期", "结束", "截止")
Q_VALUE = _words(r"value", r"worth", r"how\s+much\s+is\s+(?:the\s+)?(?:contract|deal)", r"total", r"amount",
                 r"size", r"how\s+big", "一共多少钱", "多少钱", "合同额", "金额", "总额", "总价", "价值", "多大")

# words that are never names: filler around the slots, cut from the ends of what is left
_EN_STOP = {
    "a", "an", "the", "for", "on", "of", "to", "in", "at", "by", "with", "is", "are", "was", "were", "it", "its",
    "this", "that", "please", "pls", "plz", "can", "could", "would", "you", "me", "my", "we", "our", "us", "hey",
    "hi", "bot", "contract", "milestone", "milestones", "due", "owner", "owns", "own", "add", "new", "create",
    "log", "and", "from", "now", "as", "mark", "set", "be", "should", "will", "has", "have", "been", "just",
    "so", "up", "out", "also", "called", "named", "about", "instead", "ok", "okay", "done", "finished",
    "complete", "completed", "close", "closed", "today", "another", "one", "next", "there", "here", "then",
    "which", "that's", "it's", "into", "under", "deadline", "date", "ends", "ending", "expires",
    "expiring", "end", "until", "starts", "starting", "start", "signed", "owned", "responsible", "handles",
    "handled", "assigned", "assign", "yet", "still", "already", "item", "task", "step", "record",
    "register", "put", "entry", "line", "thing", "stuff", "agreement", "deal", "payment", "schedule",
    "plan", "planned", "scheduled", "let's", "lets", "need", "needs", "want", "some", "any", "term", "period",
    "later", "earlier", "bring", "forward", "back", "push", "move",
}
_EN_STOP_KEEP_PAYMENT = _EN_STOP - {"payment"}
# Chinese filler cut from the start of a piece (给, 把 …) and from its end (节点, 负责 …); single characters only
# where they cannot begin or end a real name
_ZH_STOP = (
    "请帮我", "帮我", "麻烦", "添加", "新增", "增加", "加一个", "加个", "加上", "一个", "节点", "里程碑", "负责人",
    "负责", "这个", "那个", "合同", "一下", "建个", "新签", "新建", "创建", "签了", "到期", "截止", "开始", "生效",
    "金额", "日期", "时间", "完成", "项目名称", "项目", "名称", "客户名称", "客户", "对方", "甲方", "签约方", "之前",
    "以前", "款项", "录入", "新合同", "新签合同", "录入新合同", "下面", "里面", "那单", "这单", "这笔", "那笔",
)
_ZH_STOP_START = _ZH_STOP + ("下面加个", "下加个", "下加", "在", "录个", "建个", "签个", "来个", "开个", "个", "给", "把", "加", "录", "建", "的", "是", "由",
                             "跟", "于", "和")
_ZH_STOP_END = tuple(w for w in _ZH_STOP if w not in ("项目", "名称", "项目名称", "客户", "对方", "甲方", "款项")) + (
    "的", "了", "吧", "呢", "啊", "前")
_ZH_STOP_RE = re.compile("|".join(sorted(map(re.escape, _ZH_STOP_START), key=len, reverse=True)))
_SEP = re.compile(r"[,;、。!|()\[\]{}\x00]+|(?<![\d])[:](?![\d])|\s-+\s|\s-+$|^-+\s")

# tokens that look like numbers or dates but are not ones we can read: never glued into a name
JUNK_RE = re.compile(
    r"(?<![\w.])(?:[-+]?\d+(?:\.\d+)?[eE][-+]?\d+|nan|inf|infinity|0x[0-9a-fA-F]+|\d+(?:\.\d+){2,}"
    r"|负\s*[\d" + NUMERAL_CHARS + r"]+[万亿元块]*|-\s?\d[\d,.]*(?:万|亿|k|m|元)?|[A-Za-z]+-ish|\d+[A-Za-z]+\d+[A-Za-z\d]*)"
    r"(?![\w.])", re.IGNORECASE)
_COMPANY = re.compile(
    r"(?:有限公司|股份公司|公司|集团|研究院|研究所|大学|学院|医院|银行|事务所|工作室|委员会|协会)$"
    r"|(?<![A-Za-z])(?:ltd|limited|inc|corp|corporation|co|llc|gmbh|plc|group|company|holdings|bank|"
    r"university|traders|trading|partners|labs?|technologies|tech|systems|solutions|ag|sa|srl|pte|bv)\.?$",
    re.IGNORECASE)
# words that make a name the contract's title rather than a company: what is bought, built or serviced
_TITLE_WORDS = re.compile(
    r"系统|服务|采购|项目|平台|调度|运维|开发|检测|升级|改造|建设|集成|咨询|培训|维保|维护|许可|授权|租赁|外包|实施|"
    r"工程|设备|软件|硬件|方案|合作|框架|年费|订阅|物业|装修|设计|测试|审计|迁移|上云|云资源|数据|仓储|物流系统|会议|"
    r"投放|广告|对接|适配|营销|推广|定制|采集|分析|监控|安全|运营|改版|官网|小程序|中台|系统集成|"
    r"(?<![A-Za-z])(?:license|licence|project|system|service|services|platform|support|audit|app|erp|crm|migration|"
    r"subscription|maintenance|consulting|training|lake|data|cloud|implementation|integration|renewal|deal|rollout|"
    r"upgrade|development|hardware|software|lease|design|fleet|portal|website|analytics)(?![A-Za-z])",
    re.IGNORECASE)


# --- pieces of text ------------------------------------------------------------------------------------


class _Line:
    """A line being taken apart: recognised pieces are replaced by a separator."""

    def __init__(self, text: str) -> None:
        self.text = text

    def cut(self, start: int, end: int) -> str:
        piece = self.text[start:end]
        self.text = self.text[:start] + "\x00" + " " * (end - start - 1) + self.text[end:]
        return piece

    def cut_all(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        found = list(pattern.finditer(self.text))
        for m in reversed(found):
            self.cut(m.start(), m.end())
        return found

    def chunks(self) -> list[str]:
        return [c.strip() for c in _SEP.split(self.text) if c and c.strip()]


def _strip_stop(chunk: str, *, keep_payment: bool = False, labelled: bool = False) -> str:
    """Cut filler words from both ends of a piece of text (and Chinese filler anywhere at its ends).

    ``labelled``: the piece is the value of a label (名称：加油站改造), so it starts where the label says; the
    Chinese filler at its start (加, 给, 在 …) is part of the name."""
    stop = _EN_STOP_KEEP_PAYMENT if keep_payment else _EN_STOP
    words = chunk.split()
    while words and words[0].lower().strip("'\"") in stop:
        words.pop(0)
    while words and words[-1].lower().strip("'\"") in stop:
        words.pop()
    text = " ".join(words)
    # Chinese filler at the start and end of the piece (加一个质保金节点 -> 质保金)
    for _ in range(6):
        before = text
        m = None if labelled else _ZH_STOP_RE.match(text)
        if m:
            text = text[m.end():].strip()
        for w in sorted(_ZH_STOP_END, key=len, reverse=True):
            if text.endswith(w) and len(text) > len(w):
                text = text[: -len(w)].strip()
                break
        if text in _ZH_STOP_START or text in _ZH_STOP_END:
            text = ""
        if text == before:
            break
    return text.strip(" '\"-_.:—–|｜?？")


def _junk_in(text: str) -> str | None:
    m = JUNK_RE.search(text)
    return m.group().strip() if m else None


def _refuse_junk(text: str, example: str) -> None:
    bad = _junk_in(text)
    if bad is not None:
        raise UserError("err.word_unplaced", example=example, word=bad)


def _date_in(line: _Line, *, now: datetime, tz: str, example: str) -> DateValue | None:
    """Cut the date out of the line; refuse a date outside 2000-2100 or one with junk glued to it."""
    found = dates.find_date(line.text, now=now, tz=tz)
    if found is None:
        _refuse_out_of_range(line.text, example)
        return None
    after = line.text[found.end: found.end + 8]
    glued = re.match(r"-?[A-Za-z]+", after)
    if glued and found.text[-1:].isalpha():
        raise UserError("err.word_unplaced", example=example, word=found.text + glued.group())
    if not 2000 <= found.value.year <= 2100:
        raise UserError("err.date_range", example=example, phrase=found.text)
    line.cut(found.start, found.end)
    return DateValue(found.value, found.text, found.note, found.note_zh)


_YEAR_DATE = re.compile(r"(?<!\d)(\d{4,})\s*(?:[-/.年])\s*\d{1,2}\s*(?:[-/.月])\s*\d{1,2}")


def _refuse_out_of_range(text: str, example: str) -> None:
    m = _YEAR_DATE.search(text)
    if m and not 2000 <= int(m.group(1)) <= 2100:
        raise UserError("err.date_range", example=example, phrase=m.group())


def _mentions(line: _Line) -> list[OwnerRef]:
    found: list[OwnerRef] = []
    while (m := MENTION_RE.search(line.text)) is not None:
        found.append(OwnerRef(user_id=m.group("id"), name=m.group("name")) if m.group("id")
                     else OwnerRef(handle=m.group("handle")))
        line.cut(m.start(), m.end())
    return found


def _money(line: _Line, *, min_bare: Decimal, example: str) -> amounts.Money | None:
    if (bad := amounts.bad_number(line.text)) is not None:
        raise UserError("err.amount_unreadable", example=example, got=bad)
    money = amounts.pick_money(line.text, min_bare=min_bare)
    if money is None:
        return None
    if money.amount <= 0:
        raise UserError("err.amount_negative", example=example, amount=line.text[money.start:money.end])
    if money.amount > amounts.MAX_AMOUNT:
        raise UserError("err.amount_absurd", example=example, amount=f"{money.amount:,}")
    line.cut(money.start, money.end)
    if money.currency is None and (cur := amounts.find_currency(line.text)) is not None:
        line.cut(cur[1], cur[2])
        return replace(money, currency=cur[0])
    return money


def _percent(line: _Line, example: str) -> Decimal | None:
    p = amounts.find_percent(line.text)
    if p is None:
        return None
    if p.value <= 0:
        raise UserError("err.percent_range", example=example, percent=str(p.value))
    if p.value > 100:
        raise UserError("err.percent_over", example=example, percent=str(p.value))
    line.cut(p.start, p.end)
    return p.value


# --- milestones named in a line ------------------------------------------------------------------------

SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("first payment", "down payment", "advance payment", "deposit", "upfront payment", "首付款", "首款", "预付款",
     "定金", "首期款"),
    ("mid payment", "middle payment", "progress payment", "interim payment", "second payment", "中期款", "进度款"),
    ("final payment", "balance payment", "last payment", "尾款", "最终款"),
    ("acceptance", "delivery and acceptance", "delivery acceptance", "交付验收", "验收", "终验"),
    ("delivery", "交付", "交货", "发货"),
    ("warranty", "warranty retention", "retention", "质保金", "质保", "保证金"),
    ("renewal", "renewal notice", "续约", "续签", "续约通知"),
)


_RENEWAL_GROUP = 6  # index of the renewal names in SYNONYMS


def norm_name(text: str) -> str:
    """A name compared loosely: lower case, one space, no punctuation between words, no 的 … 节点 around it."""
    text = re.sub(r"^(?:的|这个|那个)|(?:这个)?(?:节点|里程碑)$", "", text.strip())
    return re.sub(r"[\s_\-·'\"]+", " ", text.strip().lower()).strip()


def synonym_group(name: str) -> int | None:
    """The group of names people use for the same milestone, if any."""
    n = norm_name(name)
    for i, group in enumerate(SYNONYMS):
        if n in (norm_name(g) for g in group):
            return i
    return None


def match_name(titles: list[str], name: str) -> list[str]:
    """The titles a typed name can mean: exact, then same synonym group, then a unique prefix, then a unique word.

    Never the other way round: a typed name is not matched because a title happens to sit inside it.
    """
    n = norm_name(name)
    if not n:
        return []
    exact = [t for t in titles if norm_name(t) == n]
    if exact:
        return exact
    group = synonym_group(name)
    if group is not None:
        same = [t for t in titles if synonym_group(t) == group]
        if same:
            return same
    prefix = [t for t in titles if norm_name(t).startswith(n) and len(n) >= 2]
    if prefix:
        return prefix
    words = [t for t in titles if n in norm_name(t).split() or (re.search(r"[\u3400-\u9fff]", n) and len(n) >= 2
                                                                  and n in norm_name(t))]
    return words


def _mentioned_titles(text: str, titles: list[str]) -> tuple[list[str], tuple[int, int] | None]:
    """The milestone titles a line mentions, and where: the longest title written out, else a synonym, else a word."""
    low = text.lower()
    spots: list[tuple[int, int, str]] = []
    for t in titles:
        n = t.lower().strip()
        if not n:
            continue
        i = _find_word(low, n)
        if i >= 0:
            spots.append((i, i + len(n), t))
    if spots:
        longest = max(e - s for s, e, _ in spots)
        best = [(s, e, t) for s, e, t in spots if e - s == longest]
        # a title inside a longer mentioned title (验收 in 交付验收) is not a separate mention
        return sorted({t for _, _, t in best}), (best[0][0], best[0][1])
    for group in SYNONYMS:
        for word in sorted(group, key=len, reverse=True):
            i = _find_word(low, word)
            if i < 0 or _names_other(low, i + len(word)):
                continue
            same = [t for t in titles if synonym_group(t) == SYNONYMS.index(group)]
            if same:
                return same, (i, i + len(word))
    # one word of a multi-word title (acceptance -> delivery acceptance), when only one title has it
    for m in re.finditer(r"[A-Za-z][A-Za-z\-]{2,}", text):
        w = m.group().lower()
        if w in _EN_STOP:
            continue
        having = [t for t in titles if w in norm_name(t).split()]
        if len(having) == 1:
            return having, (m.start(), m.end())
    # a Chinese word inside one title (验收 -> 交付验收)
    for t in titles:
        for size in (4, 3, 2):
            for k in range(0, max(0, len(t) - size) + 1):
                piece = t[k:k + size]
                if (re.fullmatch(r"[\u3400-\u9fff]+", piece) and piece not in _ZH_STOP and piece in text
                        and piece not in _GENERIC_PIECES
                        and not _names_other(text, text.index(piece) + size)):
                    having = [x for x in titles if piece in x]
                    if len(having) == 1:
                        i = text.index(piece)
                        return having, (i, i + size)
    return [], None


# pieces of many milestone names that say nothing about which one is meant
_GENERIC_PIECES = {"付款", "回款", "收款", "款项", "合同", "节点", "部分", "费用", "金额"}


def _names_other(text: str, end: int) -> bool:
    """验收 followed by 款 is 验收款, a payment named after acceptance, not the acceptance milestone."""
    return end < len(text) and text[end] in "款费金期"


def _find_word(low: str, needle: str) -> int:
    """Where ``needle`` stands in ``low`` as a whole word (Latin) or anywhere (Chinese); -1 when it does not."""
    start = 0
    while (i := low.find(needle, start)) >= 0:
        before = low[i - 1] if i > 0 else " "
        after = low[i + len(needle)] if i + len(needle) < len(low) else " "
        latin_edge = re.match(r"[a-z0-9]", needle[0]) and re.match(r"[a-z0-9]", before)
        latin_end = re.match(r"[a-z0-9]", needle[-1]) and re.match(r"[a-z0-9]", after)
        if not latin_edge and not latin_end:
            return i
        start = i + 1
    return -1


# --- the reader ----------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    text: str  # normalised line
    lang: str
    now: datetime
    tz: str
    team: Team
    verbs: tuple[str, ...] = ()  # every command verb people can type (from the registry), for "did you mean"
    request: bool = False  # typed as a request ("can you move …?", "麻烦…"): a question mark does not make it a question

    def ex(self, verb: str) -> str:
        return example_for(verb, self.lang)

    @property
    def today(self) -> date:
        return dates._local_now(self.now, self.tz).date()


_REQUEST = re.compile(r"^\s*(?:@\S+\s+)?(?:(?:hey|hi)\s+bot[\s,]*)?(?:can|could|would|will)\s+(?:you|we)\b|^\s*(?:please|pls|kindly|let's)\b"
                      r"|能不能|能否|可以帮|可不可以|麻烦|请帮|帮我|帮忙", re.IGNORECASE)
WRITE_VERBS = (DONE_VERB, PAID_VERB, CHANGE_VERB, RENEW_VERB, SNOOZE_VERB, ADD_VERB, MILESTONE_WORD)


def read_free(text: str, *, team: Team, now: datetime, tz: str, lang: str, raw: str | None = None,
              verbs: tuple[str, ...] = ()) -> Reading:
    """Read a line typed in free word order; raise UserError (in ``lang``) when it cannot be read."""
    c = _Ctx(normalise(text), lang, now, tz, team, verbs=verbs,
             request=bool(_REQUEST.search(raw if raw is not None else text)))
    if not c.text:
        return Reading(lang, Help())
    line = c.text
    numbers = [m for m in NUMBER_RE.finditer(line) if not _NOT_CONTRACT.match(m.group(1))]
    known = [m for m in numbers if team.has_contract(m.group(1).upper().rstrip("-/"))]
    number_m = known[0] if known else numbers[0] if numbers else None
    number = number_m.group(1).upper().rstrip("-/") if number_m else ""
    rest = line[: number_m.start()] + "\x00" + line[number_m.end():] if number_m else line
    exists = bool(known)
    return _route(c, number, rest, exists)


def _route(c: _Ctx, number: str, rest: str, exists: bool) -> Reading:
    low = rest.lower()
    is_question = bool(QUESTION.search(c.text))
    has_mention = MENTION_RE.search(rest) is not None
    if not number and (team := _team_command(c, rest, low, has_mention)) is not None:
        return team

    # creating a contract: "new contract HT-…", "新签一个合同 HT-…", README "new HT-…" for an unknown number
    bare_contract = CONTRACT_WORD.match(low.strip()) and (amounts.pick_money(rest) is not None or
                                                           dates.find_date(rest, now=c.now, tz=c.tz) is not None)
    signed_new = (NEW_VERB.search(low) or QUOTED_RE.search(rest)) and amounts.pick_money(rest) is not None and (
        QUOTED_RE.search(rest) is not None or dates.find_date(rest, now=c.now, tz=c.tz) is not None)
    if not exists and number and (bare_contract or signed_new or NEW_VERB.search(low) and (
            CONTRACT_WORD.search(low) or _starts_new(c.text))) \
            and not MILESTONE_WORD.search(low):
        return _new_contract(c, number, rest)
    readme_new = re.match(rf"^\s*(?:new|create|新建|新增|创建|新合同|录入)\s*{re.escape(number)}\b", c.text, re.IGNORECASE)
    # a due date counted from an event (30 days after the contract is signed, 项目复盘 验收后3周): its words name the
    # event, not what the line asks for
    rule = relative.find_due_after(rest, now=c.now, tz=c.tz) if number and exists else None
    if number and exists and not MILESTONE_WORD.search(low) and rule is None and (
            readme_new or (NEW_VERB.search(low) and CONTRACT_WORD.search(low))):
        raise UserError("err.contract_duplicate", example=c.ex("new"), number=number)

    if not number and (REPORT_WORD.search(low) or (
            PERIOD_LOOK_BACK.search(low) and read_period(rest.replace("\x00", " "), c.today)[0] is not None)):
        return _report(c, rest)

    # a contract named instead of numbered: "Show Contoso", "京东的合同", "when does Northwind's contract end?"
    if not number:
        named = _contract_by_name(c, rest)
        if isinstance(named, Reading):
            return named
        if named:
            number, exists = named, True
            rest = _cut_name(rest, c.team, named)
            low = rest.lower()

    if number and exists and REVIEW_WORD.search(low) and rule is None:
        from handlers.usecases.reports import Review  # the use case module holds its command type

        return Reading(c.lang, Review(number), f"{_verb('review', c.lang)} {number}")

    if SHOW_VERB.search(low) and any(p.search(low) for p in (Q_VALUE, Q_OWNER, Q_OUTSTANDING)):
        is_question = True  # "查下 Northwind 的合同金额": a fact, not the whole contract
    if is_question and c.request and any(p.search(low) for p in WRITE_VERBS):
        is_question = False  # "can you move the due date …?" asks the bot to do it
    if is_question or not number:
        q = _question(c, number, rest, exists, has_mention)
        if q is not None:
            return q
    if is_question and number and exists:
        # a question never writes: what it did not match is answered with the contract itself
        return Reading(c.lang, ShowContract(number), f"{_verb('show', c.lang)} {number}")

    if not number:
        return _unknown(c)
    if not exists:
        if _leftover(rest) and not SHOW_VERB.search(low):
            return _unknown(c, number)
        # a number the team doesn't have: the use case explains, with close numbers
        return Reading(c.lang, ShowContract(number), f"{_verb('show', c.lang)} {number}")

    titles_open = c.team.milestone_titles(number, open_only=True)
    plain_titles = [t for t in titles_open if synonym_group(t) != _RENEWAL_GROUP]
    rule = rule or relative.find_due_after(rest, now=c.now, tz=c.tz)  # a contract named, not numbered
    if rule is not None and (ruled := _with_rule(c, number, rest, rule, titles_open)) is not None:
        return ruled
    mentioned = _mentions_existing(rest, titles_open)
    # a date, or a due date relative to an event (验收后30天, 45 days after delivery)
    dated = dates.find_date(rest, now=c.now, tz=c.tz) is not None or relative.find_due_after(
        rest, now=c.now, tz=c.tz) is not None
    acting = bool(DONE_VERB.search(low) or PAID_VERB.search(low) or CHANGE_VERB.search(low)
                  or (has_mention and REASSIGN_VERB.search(low)))
    adding = bool(MILESTONE_WORD.search(low) or (ADD_VERB.search(low) and (
        not acting or (QUOTED_RE.search(rest) is not None and not mentioned))))  # add "training" … give it to @ben
    if (fixed := _correction(c, number, rest, low, titles_open)) is not None:
        return fixed
    if (nm := NOTE_VERB.search(low)) is not None and re.search(r"[:：]", rest[nm.end():]):
        return _note(c, number, rest, titles_open)  # "add a note to HT-1 first payment: PO is delayed"
    if SNOOZE_VERB.search(low) or (_STAGES.search(rest) and re.search(r"remind|提醒", low)):
        return _snooze(c, number, rest, titles_open)
    if adding and dated and not (mentioned and acting):
        return _add_milestone(c, number, _cut_name(rest, c.team, number))  # "on Northwind (HT-…)": not the name
    if RENEW_VERB.search(low) and not _mentions_existing(rest, plain_titles):
        return _renew(c, number, rest)
    if END_VERB.search(low):
        return _end(c, number, rest)
    if has_mention and REASSIGN_VERB.search(low):
        return _reassign(c, number, rest, titles_open)
    if CHANGE_VERB.search(low):
        return _change_due(c, number, rest, titles_open)
    if PAID_VERB.search(low) and not DONE_VERB.search(low.replace("paid", "")):
        return _paid(c, number, rest)
    if DONE_VERB.search(low):
        return _done(c, number, rest, titles_open)
    if PAID_VERB.search(low):
        return _paid(c, number, rest)
    if adding:
        return _add_milestone(c, number, rest)
    if NOTE_VERB.search(low):
        return _note(c, number, rest, titles_open)
    if has_mention and _mentions_existing(rest, titles_open) and OWNER_WORD.search(low):
        return _reassign(c, number, rest, titles_open)  # "HT-1 first payment owner @ben"
    leftover = _leftover(rest)
    named_titles, _span = _mentioned_titles(rest, titles_open)
    if len(named_titles) == 1 and norm_name(_leftover(rest, keep_payment=True)) in {norm_name(named_titles[0]), ""} | {
            norm_name(w) for g in SYNONYMS for w in g if synonym_group(named_titles[0]) == SYNONYMS.index(g)}:
        return Reading(c.lang, Question("due", number, named_titles[0]))  # "HT-1 first payment": its state
    if not leftover or SHOW_VERB.search(low):
        return Reading(c.lang, ShowContract(number), f"{_verb('show', c.lang)} {number}")
    # "HT-2027-102 验收款 15万 五个工作日内 @李雷": a new name with a date is a milestone being added
    if not _mentions_existing(rest, titles_open) and dates.find_date(rest, now=c.now, tz=c.tz) is not None:
        return _add_milestone(c, number, rest)
    # "HT-1 尾款 验收后30天", "HT-1 final payment due 45 days after delivery": the milestone it counts from is
    # named in the rule only, the new name is the rest
    if (after := relative.find_due_after(rest, now=c.now, tz=c.tz)) is not None and not _mentions_existing(
            rest[: after.start] + "\x00" + rest[after.end:], titles_open):
        return _add_milestone(c, number, rest)
    if (no_count := relative.event_without_count(rest)) is not None:  # 验收合格后支付尾款, 30% on signing
        raise UserError("err.after_no_count", example=c.ex("milestone"), phrase=no_count)
    return _unknown(c, number)


# said of an existing milestone with a rule: make it / set it / should be due … after (改成, 调整为 are change verbs)
_RULE_CHANGE = re.compile(r"(?<![A-Za-z])(?:make|made|set(?!\s+up)|reset|switch(?:ed)?|update[ds]?|amend(?:ed)?|adjust(?:ed)?|"
                          r"revise[ds]?|modif(?:y|ied)|is\s+now|now\s+(?:due|net)|should\s+(?:be|fall|now)|fall\s+due|"
                          r"instead)(?![A-Za-z])|设为|设置为|定为|改|调整", re.IGNORECASE)


def _with_rule(c: _Ctx, number: str, rest: str, rule: relative.Found, titles: list[str]) -> Reading | None:
    """A line with a due date counted from an event: a milestone added with it, or one changed to it.

    The words inside the rule (完成, 到账, received, signed, renewal …) name its event, so they don't make the line
    a completion, a payment or a renewal, and the milestone it counts from (验收 in 验收后30天) is not the one the
    line is about. None: the line is something else (a note that quotes a rule).
    """
    bare = rest[: rule.start] + "\x00" + rest[rule.end:]
    low = bare.lower()
    if (nm := NOTE_VERB.search(low)) is not None and re.search(r"[:：]", bare[nm.end():]):
        return None
    named, _span = _mentioned_titles(bare, titles)
    adding = bool(MILESTONE_WORD.search(low) or ADD_VERB.search(low))
    if CHANGE_VERB.search(low) or EDIT_VERB.search(low) or (_RULE_CHANGE.search(low) and not adding):
        if named or not adding:
            return _change_rule(c, number, bare, rule.due, titles, after=rest[rule.end:])
    reading = _add_milestone(c, number, _cut_name(rest, c.team, number))
    cmd = reading.command
    if isinstance(cmd, AddMilestone) and not adding and cmd.percent is None and cmd.amount is None:
        # "HT-1 尾款 验收后30天" when 尾款 exists: its due date is meant, not a second 尾款; asked first
        same = [t for t in titles if norm_name(t) == norm_name(cmd.title)]
        alike = [t for t in titles if synonym_group(cmd.title) is not None and synonym_group(t) == synonym_group(cmd.title)]
        if len(same) == 1 or len(alike) == 1:
            title = same[0] if same else alike[0]
            from handlers import anchors  # it reads the ledger's names with this module's matching

            anchors.check_words(number, c.team.milestone_titles(number, open_only=False), rule.due, lang=c.lang,
                                example=c.ex("change"), subject=title)
            change = _rule_change_text(c, number, title, rule.due, "")
            options: tuple[tuple[str, str], ...] = ((change, change),)
            if not same and reading.canonical:  # 预付款 when 首付款 exists: the same one, or a new one?
                options += ((reading.canonical, reading.canonical),)
            return Reading(c.lang, None, None, Ask("choose", "ask.after_change", {
                "number": number, "title": title, "rule": _rule_words(rule.due, c.lang)}, options))
    return reading


def _rule_words(due: relative.DueAfter, lang: str) -> str:
    return relative.rule_text(due.count, due.unit, relative.normal_event(due.event), lang)


def _rule_change_text(c: _Ctx, number: str, title: str, due: relative.DueAfter, reason: str) -> str:
    why = (f" reason {reason}" if c.lang == "en" else f" 原因 {reason}") if reason else ""
    return f"{_verb('change', c.lang)} {number} {title} {'due' if c.lang == 'en' else '截止'} " \
           f"{_rule_words(due, c.lang)}{why}"


def _change_rule(c: _Ctx, number: str, bare: str, due: relative.DueAfter, titles: list[str], *,
                 after: str = "") -> Reading:
    """"HT-1 尾款改成验收后30天", "make the final payment due 30 days after acceptance": a change request whose
    new value is the rule (``bare``: the line with the rule cut out; ``after``: what followed the rule). The reason
    is said with a label (原因, because …) or as a clause of its own after the rule (…, customer asked)."""
    reason = ""
    parts = _REASON.split(bare, maxsplit=1)
    if len(parts) == 2 and parts[1].strip():
        bare, reason = parts[0], parts[1].strip(" ,.;，。；")
    elif (clause := re.match(r"\s*[,;，；。]\s*(?P<r>[^\x00]+)$", after)) is not None and \
            _strip_stop(clause.group("r")) and not _REASON.search(clause.group("r")):
        reason = clause.group("r").strip(" ,.;，。；")
        bare = bare[: len(bare) - len(clause.group())] if bare.endswith(clause.group()) else bare
    _refuse_junk(reason, c.ex("change"))
    picked = _one_milestone(c, number, CHANGE_VERB.sub("\x00", bare, count=1), titles, "change")
    if isinstance(picked, Reading):
        return picked
    title, _left = picked
    from handlers import anchors  # it reads the ledger's names with this module's matching

    anchors.check_words(number, c.team.milestone_titles(number, open_only=False), due, lang=c.lang,
                        example=c.ex("change"), subject=title)
    cmd = RequestChange(number, title, "due", _rule_words(due, c.lang), after=due, reason=reason)
    return Reading(c.lang, cmd, _rule_change_text(c, number, title, due, reason))


def _starts_new(text: str) -> bool:
    return bool(re.match(r"^\s*(?:new|create|add|新建|新增|创建|新合同|录入)\b", text, re.IGNORECASE)) or \
        text.startswith(("新建", "新增", "创建", "新合同", "录入", "新签"))


def _leftover(rest: str, *, keep_payment: bool = False) -> str:
    line = _Line(rest)
    return " ".join(filter(None, (_strip_stop(ch, keep_payment=keep_payment) for ch in line.chunks()
                                  if not SHOW_VERB.fullmatch(ch.strip().lower()))))


def _mentions_existing(rest: str, titles: list[str]) -> bool:
    return bool(titles) and _mentioned_titles(rest, titles)[0] != []


# a look back: "report", "报表", "KPIs this quarter", "回款率", "how are we doing this year"
REPORT_WORD = re.compile(
    r"报表|报告|统计|kpis?\b|\breports?\b|scorecard|dashboard|collection\s+rate|on[\s-]?time\s+rate|"
    r"days\s+to\s+collect|回款率|回款周期|按时率|准时率|履约率|how\s+are\s+we\s+doing", re.IGNORECASE)
# how the money or the work went, asked about a period ("上季度回款情况怎么样", "how did we do last quarter?"): a report;
# without a period the same words ask what is owed now (receivables)
PERIOD_LOOK_BACK = re.compile(
    r"回款情况|收款情况|回款怎么样|回款如何|履约情况|业绩|表现(?:如何|怎么样|怎样)|做得(?:如何|怎么样)|"
    r"how\s+did\s+we\s+do|how\s+did(?=\s+@?[\w.\-\u4e00-\u9fff]+\s+do\b)|how\s+(?:did|have)\s+we\s+(?:been\s+)?doing|"
    r"how\s+(?:is|are|was|were)\s+(?:our\s+)?(?:collections?|cash\s*flow|payments?|receivables|things)",
    re.IGNORECASE)
REVIEW_WORD = re.compile(r"复盘|回顾|总结一下|\breview\b|\bretro(?:spective)?\b|post-?mortem|how\s+did\b.*\bgo\b",
                         re.IGNORECASE)
_REPORT_FILLER = re.compile(
    r"\b(?:show|give|send|get|pull|me|us|can|could|you|please|pls|let'?s|see|what'?s|what|is|are|was|our|the|a|an|"
    r"team'?s?|numbers?|figures?|how|we|doing|did|do|going|for|of)\b|"
    r"给我|给|看看|看下|看一下|查看|查下|查一下|发一下|发个|帮我|出一份|出个|来一份|一份|一下|我们|团队|的|请|吧|怎么样|情况|数据|如何",
    re.IGNORECASE)


def _report(c: _Ctx, rest: str) -> Reading:
    """A report asked for in free words: keep the period, an owner and a counterparty; drop the rest."""
    from handlers.usecases.reports import parse_report  # the use case module holds its grammar

    words = PERIOD_LOOK_BACK.sub(" ", REPORT_WORD.sub(" ", rest.replace("\x00", " ")))
    words = re.sub(r"[?？!！。,，]", " ", _REPORT_FILLER.sub(" ", words))
    words = re.sub(r"\s{2,}", " ", words).strip()
    cmd = parse_report(words, c.now, c.tz, c.ex("report"), c.lang)
    return Reading(c.lang, cmd, f"{_verb('report', c.lang)} {words}".strip())


def _verb(name: str, lang: str) -> str:
    return _VERB_WORDS[name][1 if lang == "zh" else 0]


_VERB_WORDS = {
    "new": ("new", "新建"), "milestone": ("milestone", "节点"), "done": ("done", "完成"), "show": ("show", "查看"),
    "list": ("list", "列表"), "snooze": ("snooze", "延后"), "reassign": ("reassign", "转交"), "paid": ("paid", "回款"),
    "renew": ("renew", "续约"), "change": ("change", "变更"), "receivables": ("receivables", "应收"),
    "end": ("end", "终止"), "note": ("note", "备注"), "remind": ("remind", "提醒"),
    "report": ("report", "报表"), "review": ("review", "复盘"),
}


def _unknown(c: _Ctx, number: str = "") -> Reading:
    first = c.text.split(" ")[0][:40] if c.text else ""
    aliases = [a for a in c.verbs if len(a) > 1]
    close = difflib.get_close_matches(first.lower(), aliases, n=1, cutoff=0.75)
    if close:
        raise UserError("err.unknown_suggest", example=example_for("help", c.lang), got=first, suggestion=close[0])
    if number and NUMBER_RE.match(c.text):
        raise UserError("err.not_understood_number", example=example_for("help", c.lang), number=number)
    if number or len(c.text) <= 40:
        raise UserError("err.unknown_command", example=example_for("help", c.lang), got=first)
    raise UserError("err.not_understood", example=example_for("help", c.lang), got=c.text[:40])


ROLE_WORDS = {"admin": "admin", "administrator": "admin", "member": "member", "viewer": "viewer",
              "read-only": "viewer", "readonly": "viewer", "管理员": "admin", "成员": "member", "查看者": "viewer",
              "只读": "viewer"}
_ROLE_SET = re.compile(r"(?<![A-Za-z])(?:make|set|change|turn)(?![A-Za-z])|设成|设为|改成|改为|设置为|角色", re.IGNORECASE)
_MEMBERS = re.compile(r"(?<![A-Za-z])(?:team|members|people)(?![A-Za-z])|成员|团队|同事", re.IGNORECASE)
WAIVE_VERB = _words(r"write\s+off", r"written\s+off", r"writeoff", r"waive[ds]?", "核销", "免收", "豁免", "不收了", "减免")
DELETE_VERB = _words(r"delete[ds]?", r"remove[ds]?", r"drop", "删掉", "删除", "去掉", "移除")
EDIT_VERB = _words(r"fix", r"correct", r"rename[ds]?", r"typo", r"should\s+be", "改名为", "改名", "更正", "修改", "名称改成",
                   "名称改为", "更名为", "改成", "改为")
_FIELDS = (("counterparty", r"counterparty|customer|client|对方|客户|甲方"), ("title", r"title|name|名称|名字|标题"),
           ("ends", r"end\s+date|expiry|到期日"), ("starts", r"start\s+date|开始日期"), ("amount", r"amount|value|金额"))


_ADDRESS = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_MAIL_WORD = re.compile(r"e-?mail|mail\s*address|邮箱|邮件|电邮|郵箱|電郵", re.IGNORECASE)


def _team_command(c: _Ctx, rest: str, low: str, has_mention: bool) -> Reading | None:
    """Team-level phrasing: "make @ben a viewer", "把 @韩梅梅 设成查看者", "who's on the team?"."""
    if has_mention and _ROLE_SET.search(low):
        words = re.findall(r"[A-Za-z\-]+|[\u4e00-\u9fff]+", MENTION_RE.sub(" ", rest))
        roles = {ROLE_WORDS[w.lower()] for w in words if w.lower() in ROLE_WORDS}
        for w in words:
            for k, v in ROLE_WORDS.items():
                if re.search(r"[\u4e00-\u9fff]", k) and k in w:
                    roles.add(v)
        if len(roles) == 1:
            who = _mention_text(_mentions(_Line(rest))[0])
            role = roles.pop()
            zh = {"admin": "管理员", "member": "成员", "viewer": "查看者"}
            return Reading(c.lang, None, f"role {who} {role}" if c.lang == "en" else f"角色 {who} {zh[role]}")
    # "给 @王五 设置邮箱 wang@example.com", "set bob's email to bob@example.com", "my email is me@example.com"
    if (address := _ADDRESS.search(rest)) is not None and _MAIL_WORD.search(low) and not QUESTION.search(c.text):
        mentions = _mentions(_Line(rest))
        who = f"{_mention_text(mentions[0])} " if len(mentions) == 1 else ""
        if len(mentions) <= 1:
            return Reading(c.lang, None, f"{'email' if c.lang == 'en' else '邮箱'} {who}{address.group()}")
    if _MEMBERS.search(low) and (QUESTION.search(c.text) or re.search(r"list|show|列出|看看", low)) \
            and not has_mention:
        return Reading(c.lang, None, "members" if c.lang == "en" else "成员")
    return None


def _correction(c: _Ctx, number: str, rest: str, low: str, titles: list[str]) -> Reading | None:
    """Waive, delete, edit and contract-wide reminder stages, said freely: written as their README command."""
    en = c.lang == "en"
    reason_m = _REASON.split(rest, maxsplit=1)
    body, reason = (reason_m[0], reason_m[1].strip(" ,.;:，。：")) if len(reason_m) == 2 else (rest, "")
    named, span = _mentioned_titles(body, titles)
    if len(named) > 1:  # "remove final payment …, merged into first payment": the one named first
        named = [min(named, key=lambda t: body.lower().find(t.lower()) if t.lower() in body.lower() else 10 ** 6)]
    title = named[0] if len(named) == 1 else None
    if not reason and title and (tail := re.search(r"[,，;；]\s*(?P<r>[^,，;；]+)$", body)) and \
            title.lower() not in tail.group("r").lower().split(title.lower())[0] and (WAIVE_VERB.search(low) or
                                                                                  DELETE_VERB.search(low)):
        reason = tail.group("r").strip(" .。")
    why = (f" reason {reason}" if en else f" 原因 {reason}") if reason else ""
    if WAIVE_VERB.search(low) and title:
        return Reading(c.lang, None, f"{'waive' if en else '核销'} {number} {title}{why}")
    if DELETE_VERB.search(low) and title and not PAID_VERB.search(low):
        return Reading(c.lang, None, f"{'delete' if en else '删除'} {number} {title}{why}")
    if _STAGES.search(rest) is None and re.search(r"remind|提醒", low) and not title and \
            (m := re.search(r"(\d+(?:\s*[,，、]\s*\d+)+)", rest)):
        _refuse_junk(rest, c.ex("remind"))
        offsets = ",".join(re.findall(r"\d+", m.group(1)))
        return Reading(c.lang, None, f"{'remind' if en else '提醒'} {number} {offsets}")
    if not EDIT_VERB.search(low):
        return None
    value_m = (re.search(r"(?:(?<![A-Za-z])(?:to|should\s+be|as)(?![A-Za-z])|改名为|更名为|改成|改为)\s*(?P<v>.+)$",
                         body, re.IGNORECASE)
               or re.search(r"(?:为|成|[:：])\s*(?P<v>.+)$", body))
    if value_m is None:
        return None
    value = value_m.group("v").strip().strip("\"“”「」'").strip()
    if not value or value.startswith("@") or amounts.pick_money(value) is not None or \
            dates.find_date(value, now=c.now, tz=c.tz) is not None:
        return None  # a new amount or date is a business change (change …), not a typo
    head = body[: value_m.start()]
    field = next((f for f, pat in _FIELDS if re.search(pat, head, re.IGNORECASE)), None)
    if title and (field in (None, "title") or re.search(r"rename|改名|更名", low)):
        if field == "amount":
            return None  # a milestone's amount is a business change: `change`
        return Reading(c.lang, None, f"{'edit' if en else '修改'} {number} {title} {'name' if en else '名称'} {value}")
    if title or field is None or field == "amount":
        return None
    zh = {"counterparty": "对方", "title": "名称", "ends": "到期", "starts": "开始"}
    return Reading(c.lang, None, f"{'edit' if en else '修改'} {number} {field if en else zh[field]} {value}")


def _end(c: _Ctx, number: str, rest: str) -> Reading:
    """"HT-1 终止，原因 客户取消项目" / "terminate HT-1, customer churned": end the contract, with the reason."""
    left = END_VERB.sub("\x00", rest)
    parts = _REASON.split(left, maxsplit=1)
    reason = parts[1] if len(parts) == 2 else " ".join(_Line(left).chunks())
    reason = re.sub(r"\s+", " ", reason.replace("\x00", " ")).strip(" ,.;，。:：")
    reason = _strip_stop(reason) if reason in _ZH_STOP_START or reason.lower() in _EN_STOP else reason
    return Reading(c.lang, EndContract(number, reason),
                   f"{'end' if c.lang == 'en' else '终止'} {number}" + (f" {reason}" if reason else ""))


def _note(c: _Ctx, number: str, rest: str, titles: list[str]) -> Reading:
    """"add a note to HT-1 first payment: PO delayed" / "HT-1 首付款 备注：客户说下周付"."""
    title, ask, left = _pick_milestone(c, number, rest, titles, "note")
    if ask:
        return Reading(c.lang, None, None, ask)
    m = re.search(r"[:：]\s*(?P<text>.+)$", left)
    if m is not None:
        text = m.group("text").replace("\x00", " ").strip()
    else:  # "note on Contoso delivery acceptance - waiting for test env": what follows the milestone's name
        tail = left.rsplit("\x00", 1)[-1] if "\x00" in left else NOTE_VERB.sub(" ", left)
        text = re.sub(r"^(?:\s|[-–—,.]|on|for|about|to)+", "", tail, flags=re.IGNORECASE).strip()
    if not text:
        raise UserError("err.note_empty", example=c.ex("note"))
    if title is None:
        if len(titles) != 1:
            return Reading(c.lang, None, None, _which_milestone(c, "ask.which_milestone", number, titles, "note",
                                                                f": {text}"))
        title = titles[0]
    kw = "note" if c.lang == "en" else "备注"
    return Reading(c.lang, AddNote(number, f"{title}: {text}"), f"{kw} {number} {title}: {text}")


# --- contracts by name -----------------------------------------------------------------------------------


def _contract_by_name(c: _Ctx, rest: str) -> str | Reading | None:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9&.\-]{2,}", rest) if w.lower() not in _EN_STOP
             and not _is_intent_word(w)]
    found = c.team.contracts_named(rest, words)
    if not found:
        return None
    if len(found) == 1:
        return found[0][0]
    options = tuple((f"{n} {t} ({p})", f"{_verb('show', c.lang)} {n}") for n, t, p in found[:5])
    return Reading(c.lang, None, None, Ask("choose", "ask.which_contract", {}, options))


def _is_intent_word(word: str) -> bool:
    w = word.lower()
    return any(p.fullmatch(w) for p in (SHOW_VERB, OVERDUE_WORD, RECEIVABLES_WORD, LIST_WORD, Q_END, Q_VALUE, Q_OWNER,
                                        Q_WHEN, Q_OUTSTANDING, Q_PAID, RENEW_VERB, DONE_VERB, PAID_VERB))


def _cut_name(rest: str, team: Team, number: str) -> str:
    """Take the contract's name out of the line once it has found the contract."""
    for num, title, party in team.contracts_named(rest, re.findall(r"[A-Za-z][A-Za-z0-9&.\-]{2,}", rest)):
        if num != number:
            continue
        for name in sorted(filter(None, (party, title)), key=len, reverse=True):
            i = rest.lower().find(name.lower())
            if i >= 0:
                return rest[:i] + "\x00" + rest[i + len(name):]
        for w in re.findall(r"[A-Za-z][A-Za-z0-9&.\-]{2,}", rest):
            if w.lower() in (party + " " + title).lower().split():
                rest = re.sub(rf"(?<![A-Za-z]){re.escape(w)}(?:'s)?(?![A-Za-z])", "\x00", rest, count=1)
                return rest
    return rest


# --- questions ---------------------------------------------------------------------------------------------


def _question(c: _Ctx, number: str, rest: str, exists: bool, has_mention: bool) -> Reading | None:
    low = rest.lower()
    line = _Line(rest)
    mentions = _mentions(line)
    who = mentions[0] if mentions else None
    if RECEIVABLES_WORD.search(low) and not number:
        return Reading(c.lang, Receivables(), _verb("receivables", c.lang))
    if who is None and not number and MINE_WORD.search(low):
        if OVERDUE_WORD.search(low):
            return Reading(c.lang, Question("person_overdue"))
        if WEEK_WORD.search(low):
            return Reading(c.lang, Question("person_week"))
    if who is not None and not number:
        if OVERDUE_WORD.search(low):
            return Reading(c.lang, Question("person_overdue", who=who))
        if WEEK_WORD.search(low) or re.search(r"this week|本周|这周|due", low):
            return Reading(c.lang, Question("person_week", who=who))
        return Reading(c.lang, Question("person_open", who=who))
    if not number and SHOW_VERB.search(low) and _leftover(rest) and not (MINE_WORD.search(low) or
                                                                        OVERDUE_WORD.search(low) or WEEK_WORD.search(low)):
        name = re.sub(r"\s+", " ", SHOW_VERB.sub(" ", _leftover(rest))).strip() or _leftover(rest)
        raise UserError("err.contract_name_unknown", example=c.ex("show"), name=name[:40])
    if not number:
        if MINE_WORD.search(low):
            return Reading(c.lang, ListItems("mine"), "list mine" if c.lang == "en" else "我的")
        if OVERDUE_WORD.search(low):
            return Reading(c.lang, ListItems("overdue"), "list overdue" if c.lang == "en" else "逾期")
        if WEEK_WORD.search(low):
            return Reading(c.lang, ListItems("week"), "list due this week" if c.lang == "en" else "本周到期")
        if HELP_WORD.search(low):
            return Reading(c.lang, Help())
        if LIST_WORD.search(low):
            return Reading(c.lang, ListItems("contracts"), "list" if c.lang == "en" else "列表")
        if re.search(r"(?<![a-z])(?:how\s+much|total|owed|outstanding)(?![a-z])|总共|一共|总计|多少", low) \
                and re.search(r"owe|outstanding|receiv|collect|应收|欠|回款|没收", low):
            return Reading(c.lang, Receivables(), _verb("receivables", c.lang))
        return None
    if not exists:
        return None
    titles = c.team.milestone_titles(number, open_only=False)
    named, _ = _mentioned_titles(rest, titles)
    milestone = named[0] if len(named) == 1 else ""
    if len(named) > 1:
        return Reading(c.lang, None, None, _which_milestone(c, "ask.which_milestone", number, named, "show"))
    if Q_NEXT.search(low):
        return Reading(c.lang, Question("next", number))
    if milestone and (Q_VALUE.search(low) or re.search(r"how\s+much", low)) and not Q_WHEN.search(low):
        return Reading(c.lang, Question("outstanding", number, milestone))  # "尾款是多少钱": what it still owes
    if milestone and DONE_VERB.search(low) and not Q_OWNER.search(low):
        return Reading(c.lang, Question("due", number, milestone))  # "is the acceptance done?": its state
    if Q_OUTSTANDING.search(low) and not Q_PAID.search(re.sub("unpaid", "", low)):
        return Reading(c.lang, Question("outstanding", number, milestone))
    if milestone and (Q_PAID.search(low) or Q_OUTSTANDING.search(low)) and not Q_WHEN.search(low):
        return Reading(c.lang, Question("paid", number, milestone))
    if Q_OWNER.search(low):
        return Reading(c.lang, Question("owner", number, milestone))
    if Q_WHEN.search(low) or (Q_END.search(low) and not milestone):
        if milestone:
            return Reading(c.lang, Question("due", number, milestone))
        return Reading(c.lang, Question("ends", number))
    if Q_PAID.search(low) and not milestone:
        return Reading(c.lang, Question("outstanding", number))  # "how much has Contoso paid?"
    if Q_VALUE.search(low) or re.search(r"how\s+much", low):
        return Reading(c.lang, Question("value", number))
    if Q_PAID.search(low):
        return Reading(c.lang, Question("paid", number, milestone))
    if SHOW_VERB.search(low) or not _leftover(rest):
        return Reading(c.lang, ShowContract(number), f"{_verb('show', c.lang)} {number}")
    return None


def _which_milestone(c: _Ctx, key: str, number: str, titles: list[str], verb: str, suffix: str = "") -> Ask:
    options = tuple((t, f"{_verb(verb, c.lang)} {number} {t}{suffix}") for t in titles[:5])
    return Ask("choose", key, {"number": number}, options)


# --- writes --------------------------------------------------------------------------------------------------


def _pick_milestone(c: _Ctx, number: str, rest: str, titles: list[str], verb: str,
                    suffix: str = "") -> tuple[str | None, Ask | None, str]:
    """The one open milestone a line names; or a question when several fit; the line without the name."""
    named, span = _mentioned_titles(rest, titles)
    if len(named) == 1 and span:
        return named[0], None, rest[: span[0]] + "\x00" + rest[span[1]:]
    if len(named) > 1:
        return None, _which_milestone(c, "ask.which_milestone", number, named, verb, suffix), rest
    return None, None, rest


def _one_milestone(c: _Ctx, number: str, rest: str, titles: list[str], verb: str,
                   suffix: str = "") -> tuple[str, str] | Reading:
    """The open milestone a line names (or the only one) and the rest of the line; else a question to ask, or a
    refusal naming the choices."""
    title, ask, left = _pick_milestone(c, number, rest, titles, verb, suffix)
    if ask:
        return Reading(c.lang, None, None, ask)
    if title is None:
        r = _no_milestone(c, number, left, titles, verb, suffix)
        if r.ask:
            return r
        title = titles[0]
    return title, left


def _no_milestone(c: _Ctx, number: str, rest: str, titles: list[str], verb: str, suffix: str = "") -> Reading:
    name = _leftover(rest)
    choices = ", ".join(titles) or "-"
    if name:
        raise UserError("err.milestone_unknown", example=c.ex(verb), number=number, name=name, choices=choices)
    if not titles:
        raise UserError("err.milestone_none_open", example=c.ex(verb), number=number)
    if len(titles) == 1:
        return Reading(c.lang)  # caller picks the only one
    return Reading(c.lang, None, None, _which_milestone(c, "ask.which_milestone", number, titles, verb, suffix))


def _done(c: _Ctx, number: str, rest: str, titles: list[str]) -> Reading:
    # "… done on 2026-11-02", "… 于11月2日完成", "… finished yesterday": the day it was done, taken off first
    text, day = take_done_on(_cut_words(rest, DONE_VERB), now=c.now, tz=c.tz, ex=c.ex("done"))
    title, ask, left = _pick_milestone(c, number, text, titles, "done")
    if ask:
        return Reading(c.lang, None, None, ask)
    _refuse_junk(left, c.ex("done"))
    if (stray := dates.find_date(left, now=c.now, tz=c.tz)) is not None:  # a day left in the middle: not dropped
        raise UserError("err.word_unplaced", example=c.ex("done"), word=stray.text)
    if title is None:
        r = _no_milestone(c, number, left, titles, "done")
        if r.ask:
            return r
        title = titles[0]
    on = "" if day is None else (f" on {day.value.isoformat()}" if c.lang == "en" else f" 于 {day.value.isoformat()}")
    return Reading(c.lang, CompleteMilestone(number, title, day), f"{_verb('done', c.lang)} {number} {title}{on}")


def _cut_words(rest: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub("\x00", rest)


def _paid(c: _Ctx, number: str, rest: str) -> Reading:
    ex = c.ex("paid")
    titles = [t for t in c.team.milestone_titles(number, open_only=True)]
    title, ask, left = _pick_milestone(c, number, rest, titles, "paid")
    note = None
    if (nm := re.search(r"(?<![A-Za-z])(?:note|memo|ref|备注)[:：\s]+(?P<text>.+)$", left, re.IGNORECASE)) is not None:
        note = nm.group("text").strip()
        left = left[: nm.start()]
    line = _Line(_cut_words(left, PAID_VERB))
    when = _date_in(line, now=c.now, tz=c.tz, example=ex)
    if when is None and (bad := _unreadable_date(line.text.replace("on ", " "))) is not None and re.search(r"\d", bad):
        raise date_error(bad, example=ex, now=c.now, tz=c.tz, within=line.text)
    if when is not None:
        from handlers.grammar_ledger import _received_on

        when = _received_on(when, now=c.now, tz=c.tz, ex=ex)
    money = _money(line, min_bare=Decimal(1), example=ex)
    _refuse_junk(line.text, ex)
    on = f" on {when.value.isoformat()}" if c.lang == "en" and when else (f" 于 {when.value.isoformat()}" if when else "")
    named = (f" for {title}" if c.lang == "en" else f" 节点 {title}") if title else ""
    owed = c.team.milestone_owed(number, title) if title and money is None else None
    if money is None and owed:
        # "mark the first payment paid", "paid in full": the rest of what that milestone is owed, once confirmed
        rest_money = amounts.Money(owed, None, 0, 0)
        command = f"{_verb('paid', c.lang)} {number} {_money_text(rest_money)}{on}{named}"
        template = f"{_verb('paid', c.lang)} {number} {{}}{on}{named}"
        return Reading(c.lang, None, None, Ask("fill", "ask.pay_rest", {"number": number, "title": title or "",
                                                                       "amount": f"{owed:,}"},
                                               ((f"{owed:,}", command),), template=template, slot="amount"))
    if money is None:
        template = f"{_verb('paid', c.lang)} {number} {{}}{on}{named}"
        return Reading(c.lang, None, None, Ask("fill", "ask.amount", {"number": number}, template=template,
                                               slot="amount"))
    if ask:
        # several milestones fit the name: ask which one the money is for
        options = tuple((label, f"{_verb('paid', c.lang)} {number} {_money_text(money)}{on}"
                                + (f" for {label}" if c.lang == "en" else f" 节点 {label}"))
                        for label, _cmd in ask.options)
        return Reading(c.lang, None, None, replace(ask, options=options))
    cmd = RecordPayment(number, money.amount, money.currency, when, title or "", note)
    noted = (f" note {note}" if c.lang == "en" else f" 备注 {note}") if note else ""
    return Reading(c.lang, cmd, f"{_verb('paid', c.lang)} {number} {_money_text(money)}{on}{named}{noted}")


def _money_text(money: amounts.Money) -> str:
    text = f"{money.amount.normalize():,f}" if money.amount == money.amount.to_integral() else f"{money.amount:,}"
    return f"{text} {money.currency}" if money.currency else text


_DURATION = re.compile(
    rf"(?<![A-Za-z])(?P<sign>[+-])?\s*(?P<n>\d+|[{NUMERAL_CHARS}]+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve"
    r"|another|half\s+a|半)\s*(?:个)?\s*(?P<unit>business\s+days?|working\s+days?|days?|d|weeks?|wks?|w|months?|mos?|years?|yrs?"
    r"|天|日|周|星期|礼拜|月|年|个工作日|工作日)(?![A-Za-z])",
    re.IGNORECASE)
_EN_NUM = {"a": 1, "an": 1, "another": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "twelve": 12}


def _duration(text: str) -> tuple[relativedelta, re.Match[str]] | None:
    """A span of time (5 days, +1 month, 两周, 一年), as a relativedelta and where it was written."""
    for m in _DURATION.finditer(text):
        raw = m.group("n").lower()
        n: int | None
        if raw in ("half a", "半"):
            n = 0
            half = True
        else:
            half = False
            n = _EN_NUM.get(raw) if raw in _EN_NUM else cn_int(raw)
            if n is None:
                continue
        unit = m.group("unit").lower()
        if n > 400 or (n > 20 and unit[0] in "y年"):
            continue  # 2028年 is a year, not a span of 2028 years
        if unit[0] in "d天日" or "day" in unit or "工作日" in unit:
            delta = relativedelta(days=n)
        elif unit[0] in "w周星礼":
            delta = relativedelta(weeks=n)
        elif unit[0] == "m" or unit == "月":
            delta = relativedelta(months=n or (0 if not half else 0), days=15 if half else 0)
        else:
            delta = relativedelta(years=n, months=6 if half else 0)
        if m.group("sign") == "-":
            delta = -delta
        return delta, m
    return None


_STAGES = re.compile(r"(?P<list>\d+(?:\s*(?:,|、|，|and|和|及)\s*\d+)+)\s*(?:d|days?|天)?\s*"
                     r"(?:before|ahead|in\s+advance|之前|前|提前)|(?:提前|ahead)\s*(?P<list2>\d+(?:\s*(?:,|、|，|和)\s*\d+)+)",
                     re.IGNORECASE)


def _date_over(text: str, span: re.Match[str], c: _Ctx) -> bool:
    """Say whether a date phrase covers where a span of time was found (6月 in 6月20日, 2028年 in 2028年9月30日)."""
    found = dates.find_date(text, now=c.now, tz=c.tz)
    return found is not None and found.start < span.end() and span.start() < found.end and \
        found.end - found.start > len(span.group().strip())


def _snooze(c: _Ctx, number: str, rest: str, titles: list[str]) -> Reading:
    ex = c.ex("snooze")
    picked = _one_milestone(c, number, _cut_words(rest, SNOOZE_VERB), titles, "snooze")
    if isinstance(picked, Reading):
        return picked
    title, left = picked
    _refuse_junk(left, ex)
    stages = _STAGES.search(left)
    if stages is not None:
        # "remind me 14, 7 and 1 days before": the days-ahead stages of this milestone, not a snooze
        listed = stages.group("list") or stages.group("list2") or ""
        offsets = tuple(sorted({int(x) for x in re.findall(r"\d+", listed)}, reverse=True))
        if not offsets or any(not 0 < o <= 365 for o in offsets) or len(offsets) > 6:
            raise UserError("err.offsets_range", example=c.ex("remind"))
        kw = "remind" if c.lang == "en" else "提醒"
        return Reading(c.lang, SetReminders(number, title, offsets),
                       f"{kw} {number} {title} {','.join(str(o) for o in offsets)}")
    dur = _duration(left)
    if dur is not None and _date_over(left, dur[1], c):
        dur = None  # 1月 in 1月20日 is a date
    if dur is not None and not re.search(r"后|later|from\s+now", left[dur[1].end():dur[1].end() + 10]):
        delta, _m = dur
        days = (c.today + delta - c.today).days
        if not 0 < days <= 365:
            raise UserError("err.snooze_range", example=ex)
        unit = "d" if c.lang == "en" else "天"
        return Reading(c.lang, Snooze(number, title, days=days), f"{_verb('snooze', c.lang)} {number} {title} {days}{unit}")
    line = _Line(left)
    when = _date_in(line, now=c.now, tz=c.tz, example=ex)
    if when is None:
        template = f"{_verb('snooze', c.lang)} {number} {title} {'until' if c.lang == 'en' else '到'} {{}}"
        return Reading(c.lang, None, None, Ask("fill", "ask.snooze_until", {"number": number}, template=template,
                                               slot="date"))
    until = "until" if c.lang == "en" else "到"
    return Reading(c.lang, Snooze(number, title, until=when),
                   f"{_verb('snooze', c.lang)} {number} {title} {until} {when.value.isoformat()}")


def _reassign(c: _Ctx, number: str, rest: str, titles: list[str]) -> Reading:
    line = _Line(rest)
    mentions = _mentions(line)
    title, ask, left = _pick_milestone(c, number, line.text, titles, "reassign", f" @{_owner_text(mentions[-1])}")
    if ask:
        return Reading(c.lang, None, None, ask)
    _refuse_junk(left, c.ex("reassign"))
    if title is None:
        r = _no_milestone(c, number, _cut_words(left, REASSIGN_VERB), titles, "reassign")
        if r.ask:
            return r
        title = titles[0]
    who = mentions[-1]
    return Reading(c.lang, Reassign(number, title, who),
                   f"{_verb('reassign', c.lang)} {number} {title} {_mention_text(who)}")


def _owner_text(ref: OwnerRef) -> str:
    return ref.handle or ref.name or ref.user_id or "?"


def _mention_text(ref: OwnerRef) -> str:
    if ref.user_id:
        return f"<@{ref.user_id}|{ref.name}>" if ref.name else f"<@{ref.user_id}>"
    return f"@{ref.handle}"


def _renew(c: _Ctx, number: str, rest: str) -> Reading:
    ex = c.ex("renew")
    line = _Line(_cut_words(rest, RENEW_VERB))
    end = c.team.contract_end(number)
    dur = _duration(line.text)
    if dur is not None and _date_over(line.text, dur[1], c):
        dur = None
    to = "to" if c.lang == "en" else "至"
    if dur is not None and end is not None:
        new_end = end + dur[0]
        dv = DateValue(new_end, dur[1].group())
        line.cut(dur[1].start(), dur[1].end())
        money = _money(line, min_bare=Decimal(100), example=ex)
        text = f"{_verb('renew', c.lang)} {number} {to} {new_end.isoformat()}"
        if money is not None:
            text += f" {'amount' if c.lang == 'en' else '金额'} {_money_text(money)}"
        return Reading(c.lang, Renew(number, dv, money.amount if money else None, money.currency if money else None),
                       text)
    when = _date_in(line, now=c.now, tz=c.tz, example=ex)
    if when is None:
        if re.search(r"续|renew|extend", rest, re.IGNORECASE) and end is not None and not re.search(r"\d", line.text):
            # "续约 HT-1" alone: a term as long as the current one is the usual meaning, but ask
            new_end = end + relativedelta(years=1)
            cmd = f"{_verb('renew', c.lang)} {number} {to} {new_end.isoformat()}"
            return Reading(c.lang, None, None, Ask("choose", "ask.renew_year", {"number": number,
                                                                                "date": new_end.isoformat()},
                                                   ((new_end.isoformat(), cmd),)))
        raise UserError("err.date_missing", example=ex)
    money = _money(line, min_bare=Decimal(100), example=ex)
    _refuse_junk(line.text, ex)
    text = f"{_verb('renew', c.lang)} {number} {to} {when.value.isoformat()}"
    if money is not None:
        text += f" {'amount' if c.lang == 'en' else '金额'} {_money_text(money)}"
    return Reading(c.lang, Renew(number, when, money.amount if money else None, money.currency if money else None),
                   text)


_REASON = re.compile(r"(?<![A-Za-z])(?:reason|because|due\s+to|as|since)(?![A-Za-z])[:\s]*|原因[:：\s]*|理由[:：\s]*|因为",
                     re.IGNORECASE)


def _change_due(c: _Ctx, number: str, rest: str, titles: list[str]) -> Reading:
    ex = c.ex("change")
    if re.search(r"(?<![A-Za-z])(?:amount|value)(?![A-Za-z])|金额", rest, re.IGNORECASE) or (
            amounts.pick_money(rest) is not None and not dates.find_date(rest, now=c.now, tz=c.tz)):
        named, _span = _mentioned_titles(rest, titles)
        money = amounts.pick_money(_REASON.split(rest, maxsplit=1)[0])
        if money is not None and len(named) <= 1:
            what = f" {named[0]}" if named else ""
            return Reading(c.lang, None, f"{_verb('change', c.lang)} {number}{what} "
                                         f"{'amount' if c.lang == 'en' else '金额'} {_money_text(money)}")
    if re.search(r"(?<![A-Za-z])(?:owner|scope)(?![A-Za-z])|负责人|范围", rest, re.IGNORECASE):
        raise UserError("err.use_form", example=ex, number=number)  # only due dates and amounts are read freely
    reason = ""
    parts = _REASON.split(rest, maxsplit=1)
    if len(parts) == 2 and parts[1].strip():
        rest, reason = parts[0], parts[1].strip(" ,.;")
    to_date = re.search(r"(?<![A-Za-z])(?:to|until|till|on)(?![A-Za-z])|到|至|为", rest)
    picked = _one_milestone(c, number, CHANGE_VERB.sub("\x00", rest, count=1), titles, "change")
    if isinstance(picked, Reading):
        return picked
    title, left = picked
    line = _Line(left)
    due_kw = "due" if c.lang == "en" else "截止"
    dur = _duration(line.text)
    if dur is not None and _date_over(line.text, dur[1], c) and not re.match(
            r"\s*(?:later|后|之后|以后)", line.text[dur[1].end():]):
        dur = None  # 6月 inside 6月20日 is a date, not six months; "a week later" moves the due date
    absolute = dur is not None and to_date is not None and to_date.start() < rest.find(dur[1].group())
    if dur is not None and not absolute:
        current = c.team.milestone_due(number, title)
        if current is None:
            raise UserError("err.date_missing", example=ex)
        earlier = re.search(r"提前|earlier|forward|sooner|ahead", rest, re.IGNORECASE)
        new_due = current - dur[0] if earlier else current + dur[0]
        line.cut(dur[1].start(), dur[1].end())
        dv = DateValue(new_due, dur[1].group())
    else:
        found = _date_in(line, now=c.now, tz=c.tz, example=ex)
        if found is None:
            template = f"{_verb('change', c.lang)} {number} {title} {due_kw} {{}}"
            return Reading(c.lang, None, None, Ask("fill", "ask.new_date", {"number": number}, template=template,
                                                   slot="date"))
        dv = found
    _refuse_junk(line.text, ex)
    if not reason:
        tail = [x.strip() for x in line.chunks() if _strip_stop(CHANGE_VERB.sub(" ", x))]
        tail = [t for t in tail if not re.fullmatch(r"(?:to|until|on|by|到|至|为)", t, re.IGNORECASE)]
        reason = ", ".join(tail)
    reason = reason.strip(" ?!.,;。？！，；")
    if not re.search(r"[A-Za-z0-9\u3400-\u9fff]", reason):
        reason = ""
    _refuse_junk(reason, ex)
    why = (f" reason {reason}" if c.lang == "en" else f" 原因 {reason}") if reason else ""
    cmd = RequestChange(number, title, "due", dv.value.isoformat(), date_value=dv, reason=reason)
    return Reading(c.lang, cmd, f"{_verb('change', c.lang)} {number} {title} {due_kw} {dv.value.isoformat()}{why}")


_OWNER_LABEL = re.compile(r"(?<![A-Za-z])(?:owner|owned\s+by|for|assign(?:ed)?\s+to|responsible)(?![A-Za-z])[:\s]*$"
                          r"|负责人[:\s]*$", re.IGNORECASE)


def _add_milestone(c: _Ctx, number: str, rest: str) -> Reading:
    ex = c.ex("milestone")
    line = _Line(rest)
    quoted = [next(g for g in m.groups() if g) for m in line.cut_all(QUOTED_RE)]
    mentions = _mentions(line)
    owner = mentions[0] if mentions else None
    due_after = relative.take_due_after(line, now=c.now, tz=c.tz, example=ex)
    due = _date_in(line, now=c.now, tz=c.tz, example=ex) if due_after is None else None
    if due is not None and (no_count := relative.event_without_count(rest)) is not None and due.text in no_count:
        raise UserError("err.after_no_count", example=ex, phrase=no_count)  # 签约当天 is not today
    percent = _percent(line, ex)
    if due_after is not None:
        percent = percent if percent is not None else _glued_percent(line, ex)
        owner = owner or _owner_named(line)
    money = None if percent is not None else _money(line, min_bare=Decimal(1000), example=ex)
    _refuse_junk(line.text, ex)
    chunks = [_strip_stop(ch, keep_payment=True) for ch in line.chunks()]
    if due_after is not None:  # pay words and slot words around a name due after an event (付尾款, hypercare end)
        chunks = [_keep_last_word(raw, _strip_stop(_unpay(ch), keep_payment=True))
                  for raw, ch in zip(line.chunks(), chunks, strict=True)]
    chunks = [ch for ch in chunks if ch and not MILESTONE_WORD.fullmatch(ch) and not ADD_VERB.fullmatch(ch)]
    name = quoted[0] if quoted else " ".join(chunks)
    name = re.sub(r"\s+", " ", name).strip()
    if not name:
        raise UserError("err.milestone_name_missing", example=ex)
    if due_after is not None:
        cmd = AddMilestone(number=number, title=name, kind=milestone_kind(name, carries_money=money is not None or percent is not None), due_on=None, owner=owner,
                           amount=money.amount if money else None, currency=money.currency if money else None,
                           percent=percent, after=due_after)
        return Reading(c.lang, cmd, canonical_milestone(cmd, c.lang))
    if due is None and (bad := _unreadable_date(line.text)) is not None:
        raise date_error(bad, example=ex, now=c.now, tz=c.tz, within=line.text)
    if due is None:
        parts = [_verb("milestone", c.lang), number, f'"{name}"']
        if percent is not None:
            parts.append(f"{percent.normalize():f}%")
        elif money is not None:
            parts.append(_money_text(money))
        parts.append("due {}" if c.lang == "en" else "{}")
        if owner:
            parts.append(("owner " if c.lang == "en" else "负责人 ") + _mention_text(owner))
        return Reading(c.lang, None, None, Ask("fill", "ask.due_date", {"number": number}, template=" ".join(parts),
                                               slot="date"))
    if due.value.year < 2000 or due.value.year > 2100:
        raise UserError("err.date_range", example=ex, phrase=due.text)
    cmd = AddMilestone(number=number, title=name, kind=milestone_kind(name, carries_money=money is not None or percent is not None), due_on=due, owner=owner,
                       amount=money.amount if money else None, currency=money.currency if money else None,
                       percent=percent)
    return Reading(c.lang, cmd, canonical_milestone(cmd, c.lang))


# a percentage written onto the name (尾款70%, 质保金5%): amounts.find_percent wants it apart
_GLUED_PERCENT = re.compile(r"(?<=[\u4e00-\u9fff])(?P<num>\d{1,3}(?:\.\d+)?)\s?%")
# an owner named without @ after a label (负责人张三, owner bob) or before 负责 (张三负责)
_OWNER_BARE = re.compile(
    r"(?:负责人|(?<![A-Za-z])(?:owner(?:\s+is)?|owned\s+by))\s*[:：]?\s*"
    r"(?P<a>[\u4e00-\u9fff]{2,3}|[A-Za-z][A-Za-z.]{1,30})(?=$|[\s,;，；\x00])"
    r"|(?<![\u4e00-\u9fff])(?P<b>[\u4e00-\u9fff]{2,3})\s*负责(?!人)"
    r"|(?<![\w@])(?P<c>[A-Za-z][A-Za-z.]{1,30})\s+(?:owns\s+it|will\s+own\s+it|is\s+the\s+owner)(?![A-Za-z])",
    re.IGNORECASE)
# how the money moves, said around a milestone's name when it is due after an event (付尾款, 尾款 付, 付款节点 尾款,
# balance payable, retention released): not the name
_PAY_WORD = re.compile(r"^(?:(?:付款|收款|回款)节点|付|支付|付清|结清|释放|payable|released|repaid|paid|owing)$",
                       re.IGNORECASE)


def _glued_percent(line: _Line, example: str) -> Decimal | None:
    m = _GLUED_PERCENT.search(line.text)
    if m is None:
        return None
    value = Decimal(m.group("num"))
    if not 0 < value <= 100:
        raise UserError("err.percent_range" if value <= 0 else "err.percent_over", example=example, percent=str(value))
    line.cut(m.start(), m.end())
    return value


def _owner_named(line: _Line) -> OwnerRef | None:
    m = _OWNER_BARE.search(line.text)
    if m is None:
        return None
    name = m.group("a") or m.group("b") or m.group("c")
    if name.lower() in _EN_STOP or name in _ZH_STOP_START:
        return None
    line.cut(m.start(), m.end())
    return OwnerRef(handle=name)


def _keep_last_word(raw: str, stripped: str) -> str:
    """A name's word that is filler elsewhere (hypercare end, warranty end, 项目复盘): with the due date counted from
    an event there is no end or start date for it to label, and 项目 glued to a name is part of it."""
    glued = re.match(r"\s*(项目)(?=[\u4e00-\u9fff]{2})", raw)
    if glued and stripped and raw.strip()[len(glued.group(1)):].startswith(stripped):
        return glued.group(1) + stripped
    m = re.search(r"(?<=[A-Za-z])\s+(end|start|close|review)$", raw.strip(), re.IGNORECASE)
    if m and stripped and not stripped.lower().endswith(m.group(1).lower()) and \
            re.sub(r"\s+", " ", raw.strip()[: m.start()]).lower().endswith(stripped.lower()):
        return f"{stripped} {m.group(1)}"
    return stripped


def _unpay(chunk: str) -> str:
    """A piece of a name without the pay words around it: 付尾款 -> 尾款, 付款节点 尾款 -> 尾款, balance payable ->
    balance."""
    words = [w for w in chunk.split() if not _PAY_WORD.match(w)]
    text = " ".join(words)
    text = re.sub(r"^(?:支付|付清|结清|付)(?=[\u4e00-\u9fff]{2})", "", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff]{2})(?:支付|付清|结清|付)$", "", text)
    return text


# an end / start keyword whose date was not read: "ends Q4", "到期 明年某天"
_DANGLING_END = re.compile(r"(?<![A-Za-z])(?:ends?|ending|expires?|expiring|until|starts?|starting|signed)\s+"
                           r"(?P<what>[^\s,\x00]+)", re.IGNORECASE)
_MONTH_PHRASE = re.compile(
    r"(?<![A-Za-z])(?:next|this|last|coming|early|late|mid|end\s+of|until|till|by|ends?|ending|expir\w*)\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?![A-Za-z])", re.IGNORECASE)


def _unreadable_date(text: str) -> str | None:
    """Something written as a date that could not be read (2月30日, due blursday): say so, don't ask."""
    from handlers.grammar import _DATEISH, _DUE_WORDS

    if (m := _DATEISH.search(text)) is not None:
        return m.group().strip()
    if (m := _DUE_WORDS.search(text)) is not None:
        after = text[m.end():].replace("\x00", " ").strip(" ,")
        if after:
            return after.split(" ")[0]
    return None


def canonical_milestone(cmd: AddMilestone, lang: str) -> str:
    """The README form of an added milestone."""
    parts = [_verb("milestone", lang), cmd.number, _quote(cmd.title)]
    if cmd.percent is not None:
        parts.append(f"{cmd.percent.normalize():f}%")
    elif cmd.amount is not None:
        parts.append(_money_text(amounts.Money(cmd.amount, cmd.currency, 0, 0)))
    if cmd.after is not None:
        parts.append(relative.canonical(cmd.after, lang))
    elif cmd.due_on is not None:
        parts.append(("due " if lang == "en" else "") + cmd.due_on.value.isoformat())
    if cmd.owner:
        parts.append(("owner " if lang == "en" else "负责人 ") + _mention_text(cmd.owner))
    return " ".join(parts)


def _quote(name: str) -> str:
    return f'"{name}"' if '"' not in name else f"“{name}”"


# --- new contracts ---------------------------------------------------------------------------------------------

_TITLE_LABEL = re.compile(r"^(?:title|project|name|项目名称|项目|合同名称|名称|标题)\s*[:：]?\s*", re.IGNORECASE)
_PARTY_LABEL = re.compile(r"^(?:for|with|customer|client|counterparty|party|buyer|客户名称|客户|对方单位|对方|甲方|"
                          r"签约方|买方)\s*[:：]?\s*", re.IGNORECASE)
# labels whose value was already cut out (金额：300万, end: 2027-10-31): nothing left to name
_FIELD_LABEL = re.compile(r"(?:amount|value|price|total|sum|contract\s+value|end|ends|end\s+date|expiry|start|"
                          r"start\s+date|signed|currency|owner|due|金额|合同金额|总额|结束日期|到期日|到期|开始日期|"
                          r"签订日期|签订|签署|签约|开始|生效|结束|终止|截止|币种|负责人)\s*[:：]?", re.IGNORECASE)
_LABEL_BEFORE_CUT = re.compile(r"(?:(?<=\s)|(?<=[\u4e00-\u9fff]))(?:amount|value|price|total|contract\s+value|ends?|"
                               r"end\s+date|expiry|starts?|start\s+date|signed(?:\s+on)?|currency|owner|due|金额|合同金额|"
                               r"总额|结束日期|到期日|到期|开始日期|签订日期|签订|币种|负责人)\s*[:：]?\s*(?=\x00)", re.IGNORECASE)
_LABEL_INSIDE = re.compile(r"(?<=\S)\s+(?=(?:with|customer|client|counterparty|title|project|客户名称|客户|对方单位|对方|"
                           r"甲方|签约方|买方|项目名称|合同名称|名称)(?:\s|[:：]))", re.IGNORECASE)
_START_WORDS = re.compile(r"(?:start(?:s|ing)?|effective|from|begin(?:s|ning)?|开始|生效|起)\s*(?:on|date|日期|日)?[:：\s]*$",
                          re.IGNORECASE)
_END_INSIDE = re.compile(r"^\s*(?:到期|截止|结束|终止|due|until|by)|(?:到期|截止|结束|终止)\s*$", re.IGNORECASE)
_END_WORDS = re.compile(r"(?:ends?|ending|expires?|expiry|until|到期|截止|结束|终止)\s*(?:on|date|日期|日|于)?[:：\s]*$",
                        re.IGNORECASE)
_SIGNED_WORDS = re.compile(r"(?:signed|签订|签署|签约)\s*(?:on|date|日期|日)?[:：\s]*$", re.IGNORECASE)
# README keywords of a new contract whose value is one word: channel #x, opp 123, order PO-9, kind purchase
_CONTRACT_FIELDS = {
    "channel": re.compile(r"(?<![A-Za-z])(?:channel|频道)(?:\s*[:：]\s*|\s+)(?P<v><#[^>]+>|#?[^\s,]+)", re.IGNORECASE),
    "opp": re.compile(r"(?<![A-Za-z])(?:opp|opportunity|商机)(?:\s*[:：]\s*|\s+)(?P<v>[^\s,]+)", re.IGNORECASE),
    "order": re.compile(r"(?<![A-Za-z])(?:order|订单)(?:\s*[:：]\s*|\s+)(?P<v>[^\s,]+)", re.IGNORECASE),
    "kind": re.compile(r"(?<![A-Za-z])(?:kind|type|类型)(?:\s*[:：]\s*|\s+)(?P<v>[^\s,]+)", re.IGNORECASE),
    "currency": re.compile(r"(?<![A-Za-z])(?:currency|币种)(?:\s*[:：]\s*|\s+)(?P<v>[^\s,]+)", re.IGNORECASE),
}
_FIELD_WORDS = {"channel": ("channel", "频道"), "opp": ("opp", "商机"), "order": ("order", "订单"),
                "kind": ("kind", "类型"), "currency": ("currency", "币种")}
_LABELLED_ANY = re.compile(r"(?:ends?|ending|expir(?:es|ing|y)|until|due|到期日?|截止|结束)\s*[:：]?\s*$", re.IGNORECASE)


def _new_contract(c: _Ctx, number: str, rest: str) -> Reading:
    ex = c.ex("new")
    line = _Line(rest)
    auto = bool(line.cut_all(AUTO_RENEW_RE))
    notice = None
    for m in line.cut_all(NOTICE_RE):
        notice = int(next(g for g in m.groups() if g))
    quoted = [next(g for g in m.groups() if g) for m in line.cut_all(QUOTED_RE)]
    keyed: dict[str, str] = {}
    for key, pattern in _CONTRACT_FIELDS.items():
        for m in line.cut_all(pattern):
            keyed[key] = m.group("v")
    mentions = _mentions(line)
    owner = mentions[0] if mentions else None
    # dates: each is the end unless the words before it say start or signed
    end_on = start_on = signed_on = None
    for _ in range(3):
        before_text = line.text
        found = dates.find_date(line.text, now=c.now, tz=c.tz)
        if found is None:
            _refuse_out_of_range(line.text, ex)
            break
        lead = before_text[: found.start]
        trail = before_text[found.end: found.end + 4]
        dv = _date_in(line, now=c.now, tz=c.tz, example=ex)
        assert dv is not None
        # the label right before a date wins ("到期 2027-12-31 签订 2027-01-04"), then one right after it
        # ("2027-01-04签订"); a date with no label is the end
        if _END_WORDS.search(lead) or _END_INSIDE.search(found.text):  # the reader may keep 到期/截止 with the date
            end_on = end_on or dv
        elif _START_WORDS.search(lead):
            start_on = dv
        elif _SIGNED_WORDS.search(lead):
            signed_on = dv
        elif re.match(r"\s*(?:开始|起|生效)", trail):
            start_on = dv
        elif re.match(r"\s*(?:签订|签署|签约)", trail):
            signed_on = dv
        else:
            end_on = end_on or dv
    money = _money(line, min_bare=Decimal(100), example=ex)
    currency = money.currency if money else None
    if keyed.get("currency"):
        currency = amounts.normalize_currency(keyed["currency"])
    elif currency is None and (cur := amounts.find_currency(line.text)) is not None:
        currency = cur[0]
        line.cut(cur[1], cur[2])
    _refuse_junk(line.text, ex)
    if (bad := _MONTH_PHRASE.search(line.text)) is not None:
        raise UserError("err.date_unreadable", example=ex, phrase=bad.group())
    from handlers.grammar import _DATEISH

    if (bad := _DATEISH.search(line.text)) is not None:
        raise UserError("err.date_unreadable", example=ex, phrase=bad.group().strip())
    if (bad := _DANGLING_END.search(line.text)) is not None:
        raise UserError("err.date_unreadable", example=ex, phrase=bad.group("what"))
    title = quoted[0] if quoted else ""
    party = quoted[1] if len(quoted) > 1 else ""
    loose: list[str] = []
    # a label right before a value that was cut out ends the name before it: "with Acme amount 1.2m" names Acme
    line.text = _LABEL_BEFORE_CUT.sub("\x00", line.text)
    # a name label after another name starts a new piece: "云平台 对方 华为", "ERP with Acme", "Acme project ERP"
    line.text = _LABEL_INSIDE.sub("\x00", line.text)
    chunks = line.chunks()
    for i, chunk in enumerate(chunks):
        raw = chunk.strip()
        if i + 1 < len(chunks) and _PARTY_LABEL.fullmatch(raw + " ") and not party:
            chunks[i + 1] = "client " + chunks[i + 1]  # "client: Fabrikam" split at the colon
            continue
        if i + 1 < len(chunks) and _TITLE_LABEL.fullmatch(raw + " ") and not title:
            chunks[i + 1] = "title " + chunks[i + 1]
            continue
        if _FIELD_LABEL.fullmatch(raw):
            continue
        if _PARTY_LABEL.match(raw) and not party:
            party = _strip_stop(_PARTY_LABEL.sub("", raw), labelled=True) or party
            continue
        if _TITLE_LABEL.match(raw) and not title:
            title = _strip_stop(_TITLE_LABEL.sub("", raw), labelled=True) or title
            continue
        piece = _strip_stop(raw)
        piece = CONTRACT_WORD.sub(" ", piece) if CONTRACT_WORD.fullmatch(piece) else piece
        piece = re.sub(r"^(?:录入新合同|个新合同|新签合同|新合同|新签|新建|录入|录|建个|建|签了|新增|创建|新(?=\s))", "",
                       piece).strip()
        piece = _strip_stop(piece)
        if piece and piece != "新" and not NEW_VERB.fullmatch(piece) and not CONTRACT_WORD.fullmatch(piece):
            loose.append(piece)
    ask = None
    if not title or not party:
        names = _split_names(loose)
        title, party, ask = _assign_names(c, title, party, names)
    if ask is not None:
        # typed as `new NUMBER A B` the README order (title, counterparty) is the first guess; said freely, people
        # name the customer first ("美团 配送调度")
        readme = re.match(rf"^\s*(?:new|create|新建|新增|创建|新合同|录入)\s*{re.escape(number)}\b", c.text, re.I)
        pair = ask if readme else (ask[1], ask[0])
        return Reading(c.lang, None, None, _ask_names(c, pair, number, money, currency, end_on, start_on, signed_on,
                                                       owner, notice, auto))
    if not title:
        if party:
            template = _new_text(c.lang, number, "{}", party, money, currency, end_on, start_on, signed_on, owner,
                                 notice, auto)
            return Reading(c.lang, None, None, Ask("fill", "ask.title", {"number": number}, template=template,
                                                   slot="title"))
        raise UserError("err.title_missing", example=ex)
    if money is not None and money.amount > amounts.MAX_AMOUNT:
        raise UserError("err.amount_absurd", example=ex, amount=f"{money.amount:,}")
    cmd = NewContract(number=number, title=title, counterparty=party,
                      amount=money.amount if money else None, currency=currency, end_on=end_on, start_on=start_on,
                      signed_on=signed_on, owner=owner, notice_days=notice, auto_renew=auto,
                      crm_opportunity=keyed.get("opp"), crm_order=keyed.get("order"), channel=keyed.get("channel"),
                      kind=keyed.get("kind"))
    text = _new_text(c.lang, number, title, party, money, currency, end_on, start_on, signed_on, owner, notice, auto)
    for key, (en_kw, zh_kw) in _FIELD_WORDS.items():
        if keyed.get(key) and key != "currency":
            text += f" {en_kw if c.lang == 'en' else zh_kw} {keyed[key]}"
    return Reading(c.lang, cmd, text)


def _split_names(loose: list[str]) -> list[str]:
    """Names typed without quotes: each piece between commas, and words of a piece when there are two names."""
    if len(loose) >= 2:
        return loose
    if len(loose) == 1:
        words = loose[0].split()
        if len(words) == 2:
            return words
        if len(words) > 2:
            # "Tailspin Toys Fleet app": a company suffix ends the company's name
            for i, w in enumerate(words[:-1]):
                if _COMPANY.search(w):
                    return [" ".join(words[: i + 1]), " ".join(words[i + 1:])]
        return loose
    return []


def _assign_names(c: _Ctx, title: str, party: str, names: list[str]) -> tuple[str, str, tuple[str, str] | None]:
    """Decide which unquoted name is the title and which the counterparty; a pair nothing settles is asked."""
    if title and not party:
        return title, " ".join(names), None
    if party and not title:
        return " ".join(names), party, None
    if not names:
        return title, party, None
    if len(names) == 1:
        only = names[0]
        if _is_company(c, only) and not _TITLE_WORDS.search(only):
            return "", only, None
        return only, "", None
    a, b = names[0], " ".join(names[1:])
    known = {p.lower() for p in c.team.counterparties()}
    votes_a = _party_score(a, b, known)
    votes_b = _party_score(b, a, known)
    if votes_b > votes_a:
        return a, b, None
    if votes_a > votes_b:
        return b, a, None
    return a, b, (a, b)


def _is_company(c: _Ctx, name: str) -> bool:
    return bool(_COMPANY.search(name)) or name.lower() in {p.lower() for p in c.team.counterparties()}


def _party_score(name: str, other: str, known: set[str]) -> int:
    """How strongly a name reads as the counterparty rather than the title."""
    score = 0
    if name.lower() in known:
        score += 4
    if _COMPANY.search(name):
        score += 3
    if _TITLE_WORDS.search(name):
        score -= 2
    if name and name in other and name != other:
        score += 2  # 华为 in 华为云采购: the company's name inside the project's
    return score


def _ask_names(c: _Ctx, pair: tuple[str, str], number: str, *args: object) -> Ask:
    a, b = pair
    first = _new_text(c.lang, number, a, b, *args)  # type: ignore[arg-type]
    second = _new_text(c.lang, number, b, a, *args)  # type: ignore[arg-type]
    return Ask("choose", "ask.counterparty", {"a": a, "b": b}, ((b, first), (a, second)))


def _new_text(lang: str, number: str, title: str, party: str, money: amounts.Money | None, currency: str | None,
              end_on: DateValue | None, start_on: DateValue | None, signed_on: DateValue | None,
              owner: OwnerRef | None, notice: int | None, auto: bool) -> str:
    """The README form of a new contract (title quoted, so it reads back the same)."""
    en = lang == "en"
    parts = [_verb("new", lang), number, _quote(title) if title != "{}" else '"{}"', _quote(party) if party else '""']
    if money is not None:
        parts.append(f"{money.amount.normalize():,f}" if money.amount == money.amount.to_integral()
                     else f"{money.amount:,}")
    if currency:
        parts.append(currency)
    for dv, en_kw, zh_kw in ((end_on, "ends", "到期"), (start_on, "starts", "开始"), (signed_on, "signed", "签订")):
        if dv is not None:
            parts.append(f"{en_kw if en else zh_kw} {dv.value.isoformat()}")
    if owner:
        parts.append(("owner " if en else "负责人 ") + _mention_text(owner))
    if notice is not None:
        parts.append(f"notice {notice} days" if en else f"通知期 {notice} 天")
    if auto:
        parts.append("auto-renew" if en else "自动续约")
    return " ".join(parts)
