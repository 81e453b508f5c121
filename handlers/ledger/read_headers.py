"""Finding the header row of a ledger sheet and what each column holds, in Chinese or English.

A header is recognised by name, not position: every header is folded (full-width to ordinary, lower case,
no spaces or punctuation) and its bracketed units taken aside (合同金额（万元） -> 合同金额 + 万元), then looked up
in the alias tables below. The header row is the row among the first rows of a sheet that names the most known
columns; two-row headers under merged cells (首付款 over 比例 | 日期) are joined.

Columns that name no contract field but end in a milestone role (Deposit %, Deposit Due, 首付款比例, 首付款日期,
Final Payment Received ...) are grouped by what comes before the role: each group is one milestone per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from handlers.ledger.read_files import RawSheet
from handlers.ledger.read_values import currency_hint, fold, parse_date

HEADER_SCAN_ROWS = 30

# field -> aliases, the preferred first. Contract sheets.
CONTRACT_ALIASES: dict[str, list[str]] = {
    "number": ["合同编号", "合同号", "合同编码", "合同代码", "合同号码", "合同书编号", "协议编号", "协议号", "编号",
               "contract no", "contract number", "contract #", "contract id", "contract ref", "contract reference",
               "contract code", "agreement no", "agreement number", "contract", "no", "number", "ref", "reference",
               "ref no", "项目编号", "订单编号", "订单号", "po number", "id"],
    "title": ["合同名称", "项目名称", "名称", "合同标题", "合同内容", "项目", "标的", "标的名称", "合同主题", "项目内容",
              "title", "contract title", "contract name", "project", "project name", "name", "subject", "scope",
              "description", "service", "product"],
    "counterparty": ["客户名称", "客户", "甲方", "甲方名称", "甲方单位", "对方单位", "对方单位名称", "签约单位", "签约客户",
                     "客户单位", "客户全称", "合同相对方", "相对方", "签约方", "委托方", "采购方", "买方", "合作方",
                     "合作单位", "对方", "单位名称", "供应商", "供应商名称", "乙方", "乙方名称", "卖方",
                     "customer", "customer name", "client", "client name", "counterparty", "counter party",
                     "counterparty name", "party", "company", "account", "account name", "buyer", "partner",
                     "vendor", "supplier"],
    "amount": ["合同金额", "合同额", "合同总额", "合同总金额", "合同价款", "合同价", "合同总价", "签约金额", "合同值",
               "金额", "总金额", "总价", "含税金额", "价税合计", "合同金额含税",
               "amount", "contract amount", "contract value", "value", "total value", "total amount",
               "contract price", "tcv", "total", "price", "fee", "fees"],
    "currency": ["币种", "货币", "币别", "结算币种", "货币类型", "币制", "currency", "ccy", "cur", "curr",
                 "currency code"],
    "signed": ["签订日期", "签约日期", "签署日期", "签订时间", "签约时间", "合同签订日期", "合同签订日", "签订日", "签约日",
               "签署日", "签字日期", "signed", "signing date", "signed date", "date signed", "signed on", "sign date",
               "contract date", "signature date", "execution date", "executed", "date of signing", "日期", "date"],
    "start": ["开始日期", "起始日期", "生效日期", "开始时间", "起始时间", "合同开始日期", "合同起始日", "合同起始日期",
              "合同生效日期", "起始日", "生效日", "开始日", "起租日", "服务开始日期", "履约开始日期", "start",
              "start date", "effective date", "commencement date", "commencement", "from", "begin", "begin date",
              "term start", "service start", "effective", "effective from"],
    "end": ["到期日", "结束日期", "合同截止日", "终止日期", "截止日期", "到期日期", "结束时间", "合同到期日", "合同结束日期",
            "合同终止日期", "合同截止日期", "合同到期日期", "届满日", "截止日", "终止日", "结束日", "止租日", "到期时间",
            "服务结束日期", "有效期至", "有效期截止", "end", "end date", "expiry", "expiry date", "expiration",
            "expiration date", "expires", "expires on", "to", "until", "term end", "service end", "valid until",
            "valid to", "maturity", "maturity date"],
    "period": ["合同期限", "合同期", "服务期限", "履约期限", "有效期", "合同有效期", "起止日期", "起止时间", "服务期",
               "租期", "合同起止日期", "term", "period", "contract term", "contract period", "validity"],
    "owner": ["负责人", "销售", "客户经理", "业务员", "经办人", "销售负责人", "销售经理", "项目经理", "跟进人", "责任人",
              "对接人", "合同负责人", "业务负责人", "销售代表", "承办人", "归属人", "所属销售", "owner",
              "account manager", "sales", "salesperson", "sales rep", "rep", "am", "manager", "responsible", "pic",
              "account owner", "contract owner", "kam", "assignee", "sales owner", "handler"],
    "notes": ["备注", "说明", "备注说明", "附注", "情况说明", "notes", "note", "remarks", "remark", "comments",
              "comment", "memo"],
    "received_amount": ["已回款金额", "已回款", "累计回款", "累计回款金额", "已收款", "已收款金额", "已收金额", "实收金额",
                        "回款金额", "到账金额", "已付款", "已付金额", "累计收款", "received", "amount received",
                        "received amount", "paid", "amount paid", "paid to date", "received to date", "collected",
                        "collected amount", "payments received"],
    "received_date": ["回款日期", "收款日期", "到账日期", "最近回款日期", "实收日期", "已回款日期", "received date",
                      "date received", "payment date", "paid date", "date paid", "last payment date"],
}

# Milestone sheets (回款计划 / 付款节点 / Milestones / Payment plan).
MILESTONE_ALIASES: dict[str, list[str]] = {
    "number": CONTRACT_ALIASES["number"],
    "ms_name": ["节点名称", "节点", "里程碑", "里程碑名称", "回款节点", "付款节点", "收款节点", "款项", "款项名称",
                "付款阶段", "回款阶段", "阶段", "阶段名称", "节点描述", "事项", "收款项目", "回款项目", "期次",
                "付款期次", "回款期次", "milestone", "milestone name", "stage", "phase", "item", "payment",
                "payment name", "installment", "instalment", "event", "deliverable", "名称", "name", "description"],
    "ms_kind": ["类型", "节点类型", "款项类型", "类别", "type", "kind", "milestone type", "category"],
    "percent": ["比例", "付款比例", "回款比例", "收款比例", "占比", "百分比", "比率", "占合同比例", "支付比例", "%",
                "percent", "percentage", "pct", "share", "ratio", "% of contract", "percent of contract",
                "% of total"],
    "plan_amount": ["计划金额", "应收金额", "应付金额", "计划回款金额", "节点金额", "款项金额", "应收款", "应收",
                    "付款金额", "收款金额", "金额", "回款金额", "planned amount", "plan amount", "amount due",
                    "due amount", "amount", "value", "invoice amount", "billing amount", "expected amount",
                    "scheduled amount",
                    # one column for either: "30%" is read as a share of the contract, "60000" as money
                    "比例或金额", "比例/金额", "比例或者金额", "金额或比例", "金额/比例", "金额或者比例", "比例/金额（元）",
                    "amount or %", "% or amount", "amount or percent", "percent or amount", "amount / %",
                    "share or amount", "amount or share"],
    "due": ["计划日期", "计划时间", "到期日", "截止日期", "应收日期", "计划回款日期", "预计日期", "预计回款日期",
            "节点日期", "计划完成日期", "计划付款日期", "计划收款日期", "约定日期", "应付日期", "到期日期", "截止日",
            "日期", "付款日期", "due", "due date", "date", "planned date", "plan date", "deadline", "target date",
            "scheduled date", "expected date", "due on"],
    "owner": CONTRACT_ALIASES["owner"],
    "status": ["状态", "完成状态", "是否完成", "完成情况", "回款状态", "收款状态", "付款状态", "进度", "执行情况", "节点状态",
               "是否回款", "是否到账", "status", "state", "done", "paid?", "done?"],
    "received_amount": ["实收金额", "已收金额", "实际回款金额", "已回款金额", "到账金额", "实收", "已收", "实际金额",
                        "实付金额", "已付金额", "已回款", "实际收款金额", "已收款", "实收款", "received",
                        "amount received", "received amount", "paid amount", "amount paid", "collected",
                        "actual amount", "paid"],
    "received_date": ["实收日期", "到账日期", "实际回款日期", "回款日期", "收款日期", "实际收款日期", "实付日期",
                      "已付日期", "received date", "date received", "paid date", "date paid", "payment date",
                      "received on", "paid on", "actual payment date"],
    "done_date": ["完成日期", "实际完成日期", "实际日期", "完成时间", "实际完成时间", "completion date", "completed date",
                  "date completed", "done date", "actual date", "completed on", "completed", "achieved"],
    "notes": CONTRACT_ALIASES["notes"],
    "title": ["合同名称", "项目名称", "contract title", "contract name", "project", "project name"],
    "counterparty": CONTRACT_ALIASES["counterparty"],
    "contract_amount": ["合同金额", "合同额", "合同总额", "合同总金额", "contract amount", "contract value"],
}

# an alias whose first field is taken by a better column falls back to this one
SECONDARY = {"回款金额": "received_amount", "付款日期": "received_date", "日期": "due", "date": "due",
             "contract": "title", "合同": "title"}
# milestone names that also head other columns (payment terms, a product name): weaker evidence of a plan sheet
WEAK_MILESTONE_NAMES = {"payment", "item", "description", "event", "name", "名称", "stage", "phase", "阶段", "事项",
                        "期次", "installment", "instalment", "deliverable"}

IGNORED = {"序号", "行号", "顺序号", "序", "seq", "sn", "s/n", "row", "#", "line", "审批单号", "流水号"}

FIELD_DATES = {"signed", "start", "end", "due", "received_date", "done_date"}
MONEY_FIELDS = {"amount", "plan_amount", "received_amount", "contract_amount"}
# fields that only one kind of sheet has (used to tell the kinds apart)
CONTRACT_ONLY = {"counterparty", "signed", "start", "end", "period", "currency", "title"}
MILESTONE_ONLY = {"ms_name", "ms_kind", "percent", "plan_amount", "due", "status", "done_date"}

_PUNCT = re.compile(r"[\s.#:：_\-/\\*·、'\"“”‘’?？!！,，;；()\[\]{}<>]+")
_BRACKET = re.compile(r"[(\[【〔{<《]([^()\[\]【】〔〕{}<>《》]*)[)\]】〕}>》]")
_UNIT_TAIL = re.compile(
    r"^(?P<base>.*?)[\s/,:_\-]*(?:in\s+)?(?P<unit>百万元|万美元|千美元|万元|千元|亿元|万|元|美元|人民币|usd|rmb|cny|eur|gbp|"
    r"hkd|sgd|jpy|aud|cad|\$|¥|'000|000s|k)$"
)


def key_of(text: str) -> str:
    """A header folded for lookup: lower case, no spaces or punctuation ('%' kept)."""
    return _PUNCT.sub("", fold(text).lower())


def _table(aliases: dict[str, list[str]]) -> dict[str, list[tuple[str, int]]]:
    table: dict[str, list[tuple[str, int]]] = {}
    for name, words in aliases.items():
        for prio, word in enumerate(words):
            table.setdefault(key_of(word), []).append((name, prio))
    for word, name in SECONDARY.items():
        k = key_of(word)
        if k in table and all(f != name for f, _ in table[k]):
            table[k].append((name, 200))
    return table


CONTRACT_TABLE = _table(CONTRACT_ALIASES)
MILESTONE_TABLE = _table(MILESTONE_ALIASES)
_KNOWN_KEYS = set(CONTRACT_TABLE) | set(MILESTONE_TABLE)
_CONTRACT_ONLY_KEYS = {k for k, v in CONTRACT_TABLE.items() if any(f in CONTRACT_ONLY for f, _ in v)
                       and k not in MILESTONE_TABLE}
_MILESTONE_ONLY_KEYS = {k for k, v in MILESTONE_TABLE.items() if any(f in MILESTONE_ONLY for f, _ in v)
                        and k not in CONTRACT_TABLE}


@dataclass(frozen=True)
class HeaderName:
    """One header cell: as written, its lookup keys and the units written with it."""

    text: str
    keys: tuple[str, ...]
    hints: tuple[str, ...]  # bracketed or trailing unit text: 万元, usd, %

    @property
    def unit(self) -> Decimal:
        """The multiplier the header states for its amounts (万元 -> 10000, k -> 1000)."""
        for hint in self.hints:
            h = hint.replace(" ", "")
            if "亿" in h:
                return Decimal(100000000)
            if "百万" in h or re.fullmatch(r"(?:[a-z$¥€£]*)(?:m|mm|mn|million|millions)", h):
                return Decimal(1000000)
            if "万" in h or h in ("w", "tenthousand"):
                return Decimal(10000)
            if "千" in h or re.fullmatch(r"(?:[a-z$¥€£]*)(?:k|'000|000s|000|thousand|thousands)", h):
                return Decimal(1000)
        return Decimal(1)

    @property
    def currency(self) -> str | None:
        for hint in self.hints:
            code = currency_hint(hint)
            if code:
                return code
        return None

    @property
    def percent_unit(self) -> bool:
        return any("%" in h or "百分" in h for h in self.hints)


def header_name(value: object) -> HeaderName | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", fold(str(value))).strip()
    if not text:
        return None
    low = text.lower()
    hints = [h.strip() for h in _BRACKET.findall(low) if h.strip()]
    base = _BRACKET.sub(" ", low).strip()
    keys = [key_of(base)]
    m = _UNIT_TAIL.match(base)
    if m and m.group("base").strip():
        hints.append(m.group("unit"))
        keys.append(key_of(m.group("base")))
    for k in list(keys):
        for cut in ("含税", "不含税", "税前", "税后", "总计", "合计"):
            if k.endswith(cut) and len(k) > len(cut):
                keys.append(k[: -len(cut)])
        for lead in ("合同", "contract"):
            if k.startswith(lead) and len(k) > len(lead) + 1:
                keys.append(k[len(lead):])
    if text.endswith("%") and keys[0] != "%":
        hints.append("%")
    folded = tuple(dict.fromkeys(k for k in keys if k)) or (low,)
    return HeaderName(text, folded, tuple(hints))


def lookup(name: HeaderName, table: dict[str, list[tuple[str, int]]]) -> list[tuple[str, int]]:
    """The fields a header can mean, with their preference (lower is better); the exact key first, then a
    header that says what it is in other words (计划付款时间, 合同签订日期, Date of receipt)."""
    for rank, key in enumerate(name.keys):
        if key in table:
            return [(f, p + rank * 50) for f, p in table[key]]
    rules = _FUZZY_MILESTONE if table is MILESTONE_TABLE else _FUZZY_CONTRACT
    for pattern, fname in rules:
        if pattern.search(name.keys[0]):
            return [(fname, 300)]
    return []


_DATE_WORD = r"(?:日期|时间|日$|date|day|on$)"
_FUZZY_CONTRACT = [
    (re.compile(rf"^(?:合同)?(?:签订|签约|签署|签字).*{_DATE_WORD}|^(?:date)?(?:signed|signing|signature)(?:date|on)?$"),
     "signed"),
    (re.compile(rf"^(?:合同|服务|履约)?(?:开始|起始|生效).*{_DATE_WORD}|^(?:contract|service|term)?(?:start|begin)(?:date|on)?$"),
     "start"),
    (re.compile(rf"^(?:合同|服务|履约)?(?:到期|结束|终止|截止|届满).*{_DATE_WORD}|"
                r"^(?:contract|service|term)?(?:end|expiry|expiration)(?:date|on)?$"), "end"),
    (re.compile(r"^(?:客户|甲方|对方|签约方|相对方)(?:单位|公司)?(?:名称|全称)?$|^(?:customer|client|counterparty)(?:name)?$"),
     "counterparty"),
    (re.compile(r"^合同(?:总)?(?:金额|价款|价格|额)|^(?:contract|total)(?:value|amount|price)$"), "amount"),
    (re.compile(r"^(?:合同|项目)(?:名称|标题)|^(?:contract|project)(?:name|title)$"), "title"),
    (re.compile(r"^(?:合同|协议)(?:编号|号|编码|代码)|^(?:contract|agreement)(?:no|number|num|id|ref|code)$"), "number"),
]
_FUZZY_MILESTONE = [
    (re.compile(r"(?:实际|到账|实收|已收|已回款|已付|收到|received|paid|collected|actual).*(?:金额|amount|sum|value)|"
                r"(?:金额|amount).*(?:received|paid|collected)"), "received_amount"),
    (re.compile(rf"(?:实际|到账|实收|已收|回款|收款|已付|收到|received|paid|collected|receipt).*{_DATE_WORD}|"
                r"date(?:of)?(?:receipt|received|paid|payment)"), "received_date"),
    (re.compile(rf"(?:完成|交付|验收).*{_DATE_WORD}|completion|completed"), "done_date"),
    (re.compile(rf"(?:计划|预计|应收|应付|约定|节点|付款|目标).*{_DATE_WORD}|^(?:planned|expected|target|due|scheduled)"),
     "due"),
    (re.compile(r"(?:计划|预计|应收|应付|节点|款项|付款).*(?:金额|额)$|^(?:planned|expected|scheduled)?amount"),
     "plan_amount"),
    (re.compile(r"(?:比例|占比|百分比|%)$|percent"), "percent"),
    (re.compile(r"(?:节点|里程碑|款项|阶段)(?:名称|描述|内容)?$|^milestone"), "ms_name"),
    (re.compile(r"(?:状态|情况)$|status$"), "status"),
]


# --- milestone columns on a contract row -------------------------------------------------------------------

_EN_ROLES = [
    ("received amount", "received_amount"), ("amount received", "received_amount"), ("paid amount", "received_amount"),
    ("amount paid", "received_amount"), ("collected amount", "received_amount"),
    ("received date", "received_date"), ("date received", "received_date"), ("received on", "received_date"),
    ("paid date", "received_date"), ("date paid", "received_date"), ("paid on", "received_date"),
    ("completion date", "done_date"), ("completed on", "done_date"), ("date completed", "done_date"),
    ("done date", "done_date"), ("actual date", "done_date"), ("delivered on", "done_date"),
    ("accepted on", "done_date"), ("completed", "done_date"), ("done", "done_date"), ("actual", "done_date"),
    ("achieved", "done_date"),
    ("received", "received"), ("paid", "received"), ("collected", "received"),
    ("% of contract", "percent"), ("percentage", "percent"), ("percent", "percent"), ("pct", "percent"),
    ("share", "percent"), ("ratio", "percent"), ("%", "percent"),
    ("amount", "amount"), ("amt", "amount"), ("value", "amount"),
    ("due date", "due"), ("date due", "due"), ("due on", "due"), ("due", "due"), ("deadline", "due"),
    ("planned date", "due"), ("plan date", "due"), ("target date", "due"), ("date", "due"), ("planned", "due"),
    ("target", "due"),
    ("status", "status"), ("state", "status"),
    ("owner", "owner"), ("responsible", "owner"),
]
_ZH_ROLES = [
    ("实际回款金额", "received_amount"), ("已回款金额", "received_amount"), ("实收金额", "received_amount"),
    ("已收金额", "received_amount"), ("到账金额", "received_amount"), ("实付金额", "received_amount"),
    ("已付金额", "received_amount"), ("回款金额", "received_amount"), ("收款金额", "received_amount"),
    ("实际回款日期", "received_date"), ("实收日期", "received_date"), ("到账日期", "received_date"),
    ("回款日期", "received_date"), ("收款日期", "received_date"), ("实付日期", "received_date"),
    ("已付日期", "received_date"),
    ("实际完成日期", "done_date"), ("实际完成时间", "done_date"), ("完成日期", "done_date"), ("完成时间", "done_date"),
    ("实际日期", "done_date"),
    ("实收", "received"), ("已收", "received"), ("已付", "received"), ("已回款", "received"), ("到账", "received"),
    ("付款比例", "percent"), ("回款比例", "percent"), ("比例", "percent"), ("占比", "percent"), ("百分比", "percent"),
    ("比率", "percent"), ("%", "percent"),
    ("计划金额", "amount"), ("应收金额", "amount"), ("金额", "amount"), ("款额", "amount"), ("额", "amount"),
    ("计划日期", "due"), ("计划时间", "due"), ("预计日期", "due"), ("约定日期", "due"), ("应收日期", "due"),
    ("截止日期", "due"), ("到期日", "due"), ("截止日", "due"), ("日期", "due"), ("时间", "due"),
    ("完成情况", "status"), ("是否完成", "status"), ("是否回款", "status"), ("是否到账", "status"), ("状态", "status"),
    ("负责人", "owner"),
]
_ROLE_LIST = sorted(_EN_ROLES + _ZH_ROLES, key=lambda r: len(r[0]), reverse=True)
# what a group's base may not be: contract-level words and bookkeeping columns
_NOT_MILESTONES = re.compile(
    r"^(?:合同|签订|签约|签署|开始|起始|结束|到期|生效|终止|截止|更新|修改|录入|创建|登记|审批|归档|最后|最近|开票|发票|"
    r"累计|合计|总|余|未|欠|税|应收余|contract|signing|signed|start|end|expiry|last|updated|created|modified|entry|record|invoice|"
    r"total|sum|cumulative|overall)"
)
_SEPARATORS = " \t-_:：/|,，.·()（）"


@dataclass(frozen=True)
class RoleSplit:
    base: str  # as written, e.g. "Final Payment"
    key: str  # folded for grouping
    role: str


def split_role(text: str) -> RoleSplit | None:
    """'Deposit %' -> Deposit/percent, '首付款日期' -> 首付款/due, '实际交付日期' -> 交付/done_date, '已验收' -> 验收/done."""
    raw = re.sub(r"\s+", " ", fold(text)).strip().rstrip("?？").strip()
    bracket = re.fullmatch(r"(.*?)\s*[(\[【]([^()\[\]【】]*)[)\]】]", raw)
    if bracket and bracket.group(1):
        inner = bracket.group(2).strip().lower()
        role = next((r for w, r in _ROLE_LIST if w == inner), None)
        if role:  # "Deposit (%)", "首付款（比例）"
            base = bracket.group(1).rstrip(_SEPARATORS)
            return RoleSplit(base, key_of(base), role) if base else None
        raw = bracket.group(1)  # "Deposit Amount (USD)": the unit is the column's, the role is outside
    low = raw.lower()
    for suffix, role in _ROLE_LIST:
        if not low.endswith(suffix) or len(low) == len(suffix):
            continue
        cut = len(raw) - len(suffix)
        if suffix.isascii() and suffix[0].isalpha() and cut > 0 and raw[cut - 1].isalnum() and raw[cut - 1].isascii():
            continue  # "Amount" inside "Prepayment" is not a suffix
        base = raw[:cut].rstrip(_SEPARATORS)
        if not base or (len(base) < 2 and not base.isascii()):
            continue  # 首付款比例 is 首付款 + 比例, not 首 + 付款比例
        if base.lower().startswith("actual ") and role == "due":
            base, role = base[7:].strip(), "done_date"
        elif base.startswith("实际") and role == "due" and len(base) > 2:
            base, role = base[2:], "done_date"
        return RoleSplit(base, key_of(base), role)
    if raw.startswith("已") and len(raw) > 1:  # 已交付 / 已验收
        return RoleSplit(raw[1:], key_of(raw[1:]), "done_date")
    if raw.startswith("是否") and len(raw) > 2:
        return RoleSplit(raw[2:], key_of(raw[2:]), "status")
    return None


@dataclass(frozen=True)
class Col:
    index: int  # 0-based
    name: HeaderName

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class Group:
    """Milestone columns on a contract row that share a name: Deposit %, Deposit Due, Deposit Received."""

    name: str
    key: str
    roles: dict[str, Col] = field(default_factory=dict)

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(c.letter for c in sorted(self.roles.values(), key=lambda c: c.index))


def column_letter(index: int) -> str:
    n, letters = index + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _word_boundary(longer: str, shorter: str) -> bool:
    rest = longer[len(shorter):] if longer.lower().startswith(shorter.lower()) else ""
    if not rest:
        return False
    return not (rest[0].isascii() and rest[0].isalnum() and shorter[-1:].isascii() and shorter[-1:].isalnum())


def group_columns(names: dict[int, HeaderName]) -> list[Group]:
    """Group the columns left over on a contract sheet into milestones, in column order."""
    groups: dict[str, Group] = {}
    loose: list[tuple[int, HeaderName]] = []
    for index in sorted(names):
        name = names[index]
        split = split_role(name.text)
        if split is None or not split.key or _NOT_MILESTONES.match(split.key):
            loose.append((index, name))
            continue
        group = groups.setdefault(split.key, Group(split.base, split.key))
        if split.role not in group.roles:
            group.roles[split.role] = Col(index, name)
    # "Delivered" next to "Delivery Due": a past participle that shares its stem with a group marks it done
    for index, name in loose:
        word = key_of(name.text)
        if not re.fullmatch(r"[a-z]+ed", word):
            continue
        best = max(groups.values(), key=lambda g: _common_prefix(g.key, word), default=None)
        if best and _common_prefix(best.key, word) >= 5:
            role = "received" if word in ("paid", "received", "collected") else "done_date"
            best.roles.setdefault(role, Col(index, name))
    # "Retention %" and "Retention Release Date": a longer name that only adds words is the same milestone
    for longer in sorted(groups.values(), key=lambda g: len(g.key), reverse=True):
        for shorter in sorted(groups.values(), key=lambda g: len(g.key), reverse=True):
            if (shorter is not longer and longer.key.startswith(shorter.key) and len(longer.key) > len(shorter.key)
                    and _word_boundary(longer.name, shorter.name)
                    and not set(longer.roles) & set(shorter.roles) and longer.key in groups):
                shorter.roles.update(longer.roles)
                del groups[longer.key]
                break
    useful = {"percent", "amount", "due", "received", "received_amount", "received_date", "done_date"}
    return sorted((g for g in groups.values() if useful & set(g.roles)), key=lambda g: min(c.index for c in g.roles.values()))


# --- the header row ---------------------------------------------------------------------------------------------

@dataclass
class Header:
    """Where a sheet's header is and what its columns are called."""

    row: int  # index into sheet.rows of the (last) header row
    data_start: int  # index of the first row below the header
    names: dict[int, HeaderName]  # column index -> header
    language: str  # "zh" or "en"
    raw: tuple[object, ...] = ()  # the header row's cells as written

    def hits(self, table: dict[str, list[tuple[str, int]]]) -> set[str]:
        return {f for n in self.names.values() for f, _ in lookup(n, table)[:1]}

    @cached_property
    def texts(self) -> set[str]:
        return {n.text for n in self.names.values()} | {str(v).strip() for v in self.raw if isinstance(v, str)}


def _row_names(row: list[object]) -> dict[int, HeaderName]:
    names = {}
    for i, value in enumerate(row):
        if isinstance(value, str):
            name = header_name(value)
            if name is not None:
                names[i] = name
    return names


def _score(names: dict[int, HeaderName]) -> float:
    fields: set[str] = set()
    extra = 0.0
    for name in names.values():
        found = lookup(name, CONTRACT_TABLE) or lookup(name, MILESTONE_TABLE)
        if found:
            fields.add(found[0][0])
        elif split_role(name.text):
            extra += 0.5
    if len(fields) < 2:
        return 0.0
    return len(fields) + min(extra, 6.0) + (1.0 if "number" in fields else 0.0)


def find_header(sheet: RawSheet) -> Header | None:
    """The header row: the one among the first rows that names the most known columns (ties: the upper one)."""
    best, best_score = -1, 0.0
    for i, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        score = _score(_row_names(row))
        if score > best_score:
            best, best_score = i, score
    if best < 0:
        return None
    names = _row_names(sheet.rows[best])
    data_start = best + 1
    two = _two_row_header(sheet, best)
    if two is not None:
        names, data_start = two
    if data_start < len(sheet.rows) and _is_unit_row(sheet.rows[data_start]):
        # 合同金额 with （万元） on the line below it
        for i, value in enumerate(sheet.rows[data_start]):
            if isinstance(value, str) and value.strip() and i in names:
                unit = value.strip().strip("()（）[]【】")
                names[i] = header_name(f"{names[i].text} ({unit})") or names[i]
        data_start += 1
    text = " ".join(n.text for n in names.values())
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return Header(best, data_start, names, "zh" if cjk * 3 >= latin else "en", tuple(sheet.rows[best]))


_UNIT_CELL = re.compile(r"^[(（\[【]?\s*(?:元|万元|千元|百万元|亿元|万|美元|人民币|%|％|[a-z]{3}|\$|¥|￥|k|'000|"
                        r"yyyy[-/.]mm[-/.]dd|年/月/日|年月日|日期|days?|天)\s*[)）\]】]?$", re.IGNORECASE)


def _is_unit_row(row: list[object]) -> bool:
    """A line under the header that only gives units: （元） | （万元） | % | yyyy-mm-dd."""
    cells = [v for v in row if v is not None and not (isinstance(v, str) and not v.strip())]
    return bool(cells) and all(isinstance(v, str) and _UNIT_CELL.match(fold(v)) for v in cells)


def _looks_like_data(value: object) -> bool:
    if value is None:
        return False
    if not isinstance(value, str):
        return True
    try:
        return parse_date(value) is not None or bool(re.fullmatch(r"[\d.,%\s¥$￥-]+", value))
    except ValueError:
        return False


_ROLE_WORDS = {w for w, _ in _ROLE_LIST} | {"name", "名称", "节点", "owner", "负责人", "备注", "notes"}


def _is_role_word(text: str) -> bool:
    """比例 / 日期 / % / Due / Received: a word that only means something under a milestone's heading."""
    low = re.sub(r"\s+", " ", fold(text)).strip().lower().rstrip("?？")
    low = _BRACKET.sub("", low).strip() or low
    return low in _ROLE_WORDS


def _join(parent: str, child: str) -> str:
    return f"{parent} {child}" if parent[-1:].isascii() and child[:1].isascii() else parent + child


def _two_row_header(sheet: RawSheet, best: int) -> tuple[dict[int, HeaderName], int] | None:
    """A header split over two rows under merged cells: 首付款 (merged over two columns) above 比例 | 日期."""
    width = max((len(r) for r in sheet.rows[best: best + 3]), default=0)
    for parent, child in ((best - 1, best), (best, best + 1)):
        if parent < 0 or child >= len(sheet.rows):
            continue
        spans = [(c1 - 1, c2 - 1) for r1, c1, r2, c2 in sheet.merges
                 if r1 == sheet.numbers[parent] and r2 == r1 and c2 > c1 and (c2 - c1 + 1) < max(2, width * 0.8)]
        if not spans:
            continue
        prow, crow = sheet.rows[parent], sheet.rows[child]
        under = [crow[c] if c < len(crow) else None for a, b in spans for c in range(a, b + 1)]
        words = [v for v in under if isinstance(v, str) and v.strip()]
        if not words or any(_looks_like_data(v) for v in under) or not all(_is_role_word(v) for v in words):
            continue  # a title merged over some headers, not a heading over 比例 | 日期
        names: dict[int, HeaderName] = {}
        covered = {c: a for a, b in spans for c in range(a, b + 1)}
        for c in range(max(len(prow), len(crow))):
            top = prow[covered.get(c, c)] if covered.get(c, c) < len(prow) else None
            below = crow[c] if c < len(crow) else None
            top_s = str(top).strip() if isinstance(top, str) and top.strip() else ""
            below_s = str(below).strip() if isinstance(below, str) and below.strip() else ""
            text = _join(top_s, below_s) if (c in covered and top_s and below_s) else (below_s or top_s)
            if c not in covered and parent == best - 1 and below_s:
                text = below_s
            name = header_name(text) if text else None
            if name is not None:
                names[c] = name
        return names, child + 1
    return None


def is_header_again(row: list[object], header: Header) -> bool:
    """A row that repeats the header (printed ledgers repeat it on every page)."""
    texts = header.texts
    same = sum(1 for value in row if isinstance(value, str) and value.strip() in texts)
    return same >= max(2, len(texts) // 2)


# --- the columns a sheet holds -----------------------------------------------------------------------------------

def assign_fields(names: dict[int, HeaderName], table: dict[str, list[tuple[str, int]]],
                  skip: set[int] = frozenset()) -> dict[str, Col]:  # type: ignore[assignment]
    """Give each field its best column: the best-ranked alias, then the leftmost."""
    candidates = []
    for index, name in names.items():
        if index in skip:
            continue
        for fname, prio in lookup(name, table):
            candidates.append((prio, index, fname))
    candidates.sort()
    taken: set[int] = set()
    fields: dict[str, Col] = {}
    for _prio, index, fname in candidates:
        if fname in fields or index in taken:
            continue
        fields[fname] = Col(index, names[index])
        taken.add(index)
    return fields


def milestone_evidence(header: Header) -> float:
    """How plainly a header describes one milestone per row (2 or more: a plan sheet)."""
    weak = {key_of(w) for w in WEAK_MILESTONE_NAMES}
    score = 0.0
    seen: set[str] = set()
    for name in header.names.values():
        key = next((k for k in name.keys if k in _KNOWN_KEYS), None)
        if key is None or key not in _MILESTONE_ONLY_KEYS:
            continue
        fname = MILESTONE_TABLE[key][0][0]
        if fname in seen:
            continue
        seen.add(fname)
        if fname == "ms_name":
            score += 1.0 if key in weak else 2.0
        elif fname == "status":
            score += 0.5
        else:
            score += 1.0
    return score


def sheet_signals(header: Header) -> tuple[set[str], bool]:
    """The fields only a contracts sheet has (签订日期, 币种, Customer ...) and whether a contract number column is
    there."""
    contract: set[str] = set()
    for name in header.names.values():
        key = next((k for k in name.keys if k in _KNOWN_KEYS), None)
        if key is not None and key in _CONTRACT_ONLY_KEYS:
            contract.update(f for f, _ in CONTRACT_TABLE[key][:1])
    return contract, "number" in header.hits(CONTRACT_TABLE)


_IGNORED_KEYS = {key_of(w) or w for w in IGNORED}


def ignored(name: HeaderName) -> bool:
    """A bookkeeping column (序号, S/N) that names nothing to import."""
    return name.keys[0] in _IGNORED_KEYS or name.text.strip() in IGNORED
