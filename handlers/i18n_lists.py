"""Sentences of paged lists, in English and Chinese (merged into handlers.i18n)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # a list's title gets " · page 2/3" when it has more than one page
    "list.page": {"en": "page {page}/{pages}", "zh": "第{page}/{pages}页"},
    "list.order.due": {"en": "by due date", "zh": "按到期日排序"},
    "list.order.end": {"en": "ending next first, then those that have ended", "zh": "即将到期的在前，已到期的在后"},
    "list.next_hint": {"en": "next: {command}", "zh": "下一页：{command}"},
    "list.first_shown": {"en": "The first {shown} are shown; all of them: {command}",
                         "zh": "这里显示前 {shown} 项；全部：{command}"},
    "list.button.next": {"en": "Next ▸", "zh": "下一页 ▸"},
    "list.button.previous": {"en": "◂ Previous", "zh": "◂ 上一页"},
    # the typed form of each list, and of one of its pages (what the buttons do, for the console)
    "cmd.list.contracts": {"en": "list", "zh": "列表"},
    "cmd.list.mine": {"en": "list mine", "zh": "列表 我的"},
    "cmd.list.overdue": {"en": "list overdue", "zh": "列表 逾期"},
    "cmd.list.week": {"en": "list due this week", "zh": "列表 本周到期"},
    "cmd.list.page": {"en": "{command} page {page}", "zh": "{command} 第{page}页"},
    "err.list_page_beyond": {
        "en": "There is no page {page}: the last page is {pages} ({count} in all).",
        "zh": "没有第{page}页：最后一页是第{pages}页（共 {count} 项）。",
    },
    "err.list_page_first": {"en": "This is the first page already.", "zh": "已经是第一页了。"},
    "err.list_page_number": {
        "en": "Pages are numbered from 1 (not “{got}”).",
        "zh": "页码从 1 开始（不支持“{got}”）。",
    },
    "err.list_no_cursor": {
        "en": "There is no list to turn the page of here yet: ask for one first.",
        "zh": "这里还没有可以翻页的列表，请先查看一个列表。",
    },
}
