"""How a payment is spread over payment milestones: named one first, then the earliest due; deterministic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Slot:
    """A payment milestone that can still take money."""

    milestone_id: int
    due_on: date | None  # None: due after an event still to come (settled after every dated milestone)
    planned: Decimal
    paid: Decimal

    @property
    def owed(self) -> Decimal:
        """What is still owed on it."""
        return max(Decimal(0), self.planned - self.paid)


def allocate(amount: Decimal, slots: list[Slot], *, named: int | None = None) -> tuple[list[tuple[int, Decimal]], Decimal]:
    """Split amount over the slots: the named milestone first, then by due date (undated last) and id.

    Returns the (milestone id, amount) parts and what is left unallocated (money beyond the plan).
    """
    order = sorted(slots, key=lambda s: (s.milestone_id != named, s.due_on is None, s.due_on or date.min,
                                         s.milestone_id))
    parts: list[tuple[int, Decimal]] = []
    left = amount
    for slot in order:
        if left <= 0:
            break
        take = min(left, slot.owed)
        if take > 0:
            parts.append((slot.milestone_id, take))
            left -= take
    return parts, left
