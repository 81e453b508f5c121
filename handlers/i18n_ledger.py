"""Sentences of the ledger import (import / 导入), in English and Chinese (merged into handlers.i18n)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "ex.import": {"en": "import ledger.xlsx", "zh": "导入 合同台账.xlsx"},
    "import.err.no_file": {
        "en": "Send the ledger file (.xlsx, .xls or .csv) with the message “import”: in Slack upload it to me with "
              "that text, in Telegram send it as a document with the caption /import, in Feishu send it to me in "
              "a private chat (in a group, reply to the file with @bot import), in the console type import "
              "and the file's path.",
        "zh": "请把台账文件（.xlsx、.xls 或 .csv）和“导入”一起发来：Slack 里上传文件并写“导入”，Telegram 里以文件形式发送并"
              "附上说明 /import，飞书里私聊直接发文件（群里回复该文件并 @机器人 导入），控制台里输入“导入 文件路径”。",
    },
    "import.err.unreadable": {"en": "I can't read {file}: {reason}", "zh": "无法读取 {file}：{reason}"},
    "import.err.no_preview": {
        "en": "There is no ledger waiting for confirmation (a preview is kept for a day). Send the file again.",
        "zh": "没有待确认的台账（预览保留一天），请重新发送文件。",
    },
    "import.err.not_yours": {
        "en": "{number} belongs to someone else: only its owner or a team admin can update it by import.",
        "zh": "{number} 由他人负责，只有其负责人或团队管理员可以通过导入更新它。",
    },
    "import.err.no_due": {"en": "milestone “{name}” of {number} has no planned date.",
                          "zh": "{number} 的节点“{name}”没有计划日期。"},
    "import.preview": {"en": "📥 Preview of {file} (nothing is saved yet)", "zh": "📥 {file} 导入预览（尚未保存）"},
    "import.done": {"en": "✅ Imported {file}", "zh": "✅ 已导入 {file}"},
    "import.cancelled": {"en": "Import of {file} cancelled; nothing was saved.", "zh": "已取消导入 {file}，未保存任何内容。"},
    "import.nothing": {"en": "Nothing to change: the team's ledger already says what this file says.",
                       "zh": "无需更改：团队台账与此文件一致。"},
    "import.one_file": {"en": "Only {file} was read; send other files one at a time.",
                        "zh": "只读取了 {file}，其他文件请逐个发送。"},
    "import.count_contracts": {"en": "Contracts: {new} new, {updated} updated",
                               "zh": "合同：新增 {new} 份，更新 {updated} 份"},
    "import.count_milestones": {"en": "Milestones: {new} new, {updated} updated, {done} marked done",
                                "zh": "节点：新增 {new} 个，更新 {updated} 个，标记完成 {done} 个"},
    "import.count_payments": {"en": "Payments received: {new} new", "zh": "已回款：新增 {new} 笔"},
    "import.count_people": {"en": "New people in the team: {n} ({names})", "zh": "团队新成员：{n} 位（{names}）"},
    "import.count_unchanged": {"en": "Unchanged contracts: {n}", "zh": "未变化的合同：{n} 份"},
    "import.errors": {"en": "⚠️ {n} rows can't be imported (the rest can):",
                      "zh": "⚠️ 有 {n} 行无法导入（其余可以导入）："},
    "import.more_errors": {"en": "… and {n} more", "zh": "…… 另有 {n} 行"},
    "import.where_sheet": {"en": "{sheet} row {row}", "zh": "{sheet} 第 {row} 行"},
    "import.where_line": {"en": "line {row}", "zh": "第 {row} 行"},
    "import.ask": {"en": "Import these {n} changes from {file}?", "zh": "确认从 {file} 导入这 {n} 项更改吗？"},
    "import.yes": {"en": "Import", "zh": "导入"},
}
