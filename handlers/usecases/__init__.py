"""Use cases: one function per command, each run inside the caller's single transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.context import Ctx
from handlers.grammar import (
    AddMilestone,
    AddNote,
    CompleteMilestone,
    Help,
    ListItems,
    NewContract,
    Reassign,
    SetReminders,
    Settings,
    ShowContract,
    Snooze,
)
from handlers.grammar_ledger import (
    DecideChange,
    EndContract,
    History,
    Receivables,
    RecordPayment,
    Renew,
    RequestChange,
    SetRole,
    UndoPayment,
)
from handlers.replies import Reply
from handlers.understand import Question
from handlers.usecases.admin import history, set_role
from handlers.usecases.answers import answer
from handlers.usecases.changes import decide_change, request_change
from handlers.usecases.contracts import create_contract, show_contract
from handlers.usecases.followup import add_note, reassign, set_reminders, snooze
from handlers.usecases.listing import list_items, show_help
from handlers.usecases.milestones import add_milestone, complete_milestone
from handlers.usecases.payments import receivables, record_payment, undo_payment
from handlers.usecases.renewals import end_contract, renew
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
    RecordPayment: record_payment,
    Receivables: receivables,
    UndoPayment: undo_payment,
    Renew: renew,
    EndContract: end_contract,
    RequestChange: request_change,
    DecideChange: decide_change,
    History: history,
    SetRole: set_role,
    Question: answer,
}


def run(ctx: Ctx, command: object) -> list[Reply]:
    """Carry out one parsed command."""
    return HANDLERS[type(command)](ctx, command)
