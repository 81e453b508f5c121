"""The command menu Telegram clients show after "/": descriptions in English (default) and Chinese."""

from __future__ import annotations

from telegram import Bot, BotCommand

# command -> (English, Chinese). Descriptions: 1-256 characters; command names: a-z, 0-9, _ only.
COMMANDS: dict[str, tuple[str, str]] = {
    "contract": ("Any ContractBot command, e.g. /contract list overdue", "任意合同命令，例如 /contract 逾期"),
    "new": (
        "New contract: /new HT-2026-001 title client amount ends date",
        "新建合同：/new 编号 名称 客户 金额 到期 日期",
    ),
    "milestone": (
        "Add a milestone: /milestone HT-2026-001 first payment 30% next Friday @alice",
        "添加节点：/milestone 编号 首付款 30% 下周五 @张三",
    ),
    "done": ("Mark a milestone done: /done HT-2026-001 first payment", "完成节点：/done 编号 首付款"),
    "list": (
        "List contracts, or: /list mine | overdue | this week",
        "列出合同，或：/list 我的 | 逾期 | 本周",
    ),
    "import": (
        "Import a ledger: send an Excel or CSV file with the caption /import",
        "导入台账：发送 Excel 或 CSV 文件，并附上说明 /import",
    ),
    "help": ("How to talk to ContractBot", "使用说明"),
}


def bot_commands(lang: str) -> list[BotCommand]:
    """The menu in one language ('en' or 'zh')."""
    index = 1 if lang == "zh" else 0
    return [BotCommand(name, texts[index]) for name, texts in COMMANDS.items()]


async def publish(bot: Bot) -> None:
    """Register the menu: English for everyone, Chinese for clients set to Chinese."""
    await bot.set_my_commands(bot_commands("en"))
    await bot.set_my_commands(bot_commands("zh"), language_code="zh")
