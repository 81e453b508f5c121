"""Use cases: one function per command, each run inside the caller's single transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.context import Ctx
from handlers.grammar import (
    AddMilestone, AddNote, Command, CompleteMilestone, Help, ListItems, NewContract, Reassign, SetReminders, Settings,
    ShowContract, Snooze,
)
from handlers.replies import Reply
from handlers.usecases.contracts import create_contract, show_contract
from handlers.usecases.followup import add_note, reassign, set_reminders, snooze
from handlers.usecases.listing import list_items, show_help
from handlers.usecases.milestones import add_milestone, complete_milestone
from handlers.usecases.settings import settings

HANDLERS: dict[type, Callable[[Ctx, Any], list[Reply]]] = {
    NewContract: create_contract,
    ShowContract: show_contract,
    AddMilestone: add_milestone,
    CompleteMilestone: complete_milestone,
    ListItems: list_items,
    Help: show_help,
    Snooze: snooze,
    Reassign: reassign,
    AddNote: add_note,
    SetReminders: set_reminders,
    Settings: settings,
}


def run(ctx: Ctx, command: Command) -> list[Reply]:
    """Carry out one parsed command."""
    return HANDLERS[type(command)](ctx, command)
