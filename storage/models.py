"""SQLModel tables: the contract ledger, its milestones, money, changes, reminders and the audit trail.

Every row a user can see carries ``tenant_id``; every query filters on it.
Money is ``Decimal`` in a Numeric column, instants are UTC (see ``UTCDateTime``), due dates are calendar
dates read in the tenant's time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Index, LargeBinary, Numeric, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class MilestoneStatus(StrEnum):
    """Where a milestone stands. Stored as its text; compares equal to it."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
    WAIVED = "waived"  # closed without the money still owed on it (written off, with a reason)


class ContractStatus(StrEnum):
    """Where a contract stands (moved by date, renewal and ending)."""

    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    RENEWED = "renewed"
    ENDED = "ended"


class Role(StrEnum):
    """What a person may do in a team."""

    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


class ChangeStatus(StrEnum):
    """Where a change request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

MONEY = Numeric(18, 2)
PERCENT = Numeric(7, 4)


class Tenant(SQLModel, table=True):
    """A team: a Slack workspace, a Telegram chat or a console chat, with its settings."""

    __tablename__ = "tenants"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_tenant_platform_external"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    name: str = Field(default="", max_length=255)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    language: str = Field(default="en", max_length=8)
    currency: str = Field(default="CNY", max_length=8)
    reminder_time: str = Field(default="09:00", max_length=5)
    reminder_offsets: str = Field(default="7,3", max_length=64)
    overdue_every_days: int = Field(default=3)
    escalate_after_days: int = Field(default=7)
    escalation_target: str | None = Field(default=None, max_length=128)
    routing: str = Field(default="channel", max_length=16)
    holiday_shift: bool = Field(default=False)
    default_channel: str | None = Field(default=None, max_length=128)
    # the weekly digest: its local weekday (Monday = 0; None = no weekly digest, a daily one every day) and time
    digest_day: int | None = Field(default=0, sa_column_kwargs={"server_default": "0"})
    digest_time: str = Field(default="09:00", max_length=5, sa_column_kwargs={"server_default": "09:00"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # the platform stopped taking the bot's messages for this team (the Slack app was uninstalled): its reminders
    # are parked until it comes back (a reinstall), its data stays
    suspended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Person(SQLModel, table=True):
    """Someone in a team: known by platform user id, by @handle, or both once we have seen them."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("tenant_id", "platform_user_id", name="uq_person_platform_user"),
        UniqueConstraint("tenant_id", "handle", name="uq_person_handle"),
        # one person per address in a team (a unique index: SQLite adds it without rebuilding the table)
        Index("uq_person_email", "tenant_id", "email", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    platform_user_id: str | None = Field(default=None, max_length=64)
    handle: str | None = Field(default=None, max_length=128)
    display_name: str = Field(default="", max_length=255)
    timezone: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=8)
    role: str = Field(default=Role.MEMBER.value, max_length=16)
    can_dm: bool = Field(default=False)
    dm_channel: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # their e-mail address (lower case), for reminders by e-mail; ``email_off``: they asked for none (it is kept)
    email: str | None = Field(default=None, max_length=254)
    email_off: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})


class Contract(SQLModel, table=True):
    """A signed contract in a team's ledger."""

    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_contract_number"),
        # numbers are looked up case-insensitively (show ht-1); "did you mean" reads those next to a mistyped one
        Index("ix_contract_tenant_number_upper", "tenant_id", text("upper(number)")),
        # the contract list: by end date, then number, one page at a time (its ids read from the index alone)
        Index("ix_contract_tenant_end_number", "tenant_id", "end_on", "number", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    number: str = Field(max_length=64)
    title: str = Field(default="", max_length=255)
    counterparty: str = Field(default="", max_length=255)
    amount: Decimal | None = Field(default=None, sa_type=MONEY)
    currency: str = Field(default="CNY", max_length=8)
    kind: str = Field(default="sales", max_length=32)
    owner_id: int | None = Field(default=None, foreign_key="people.id")
    signed_on: date | None = None
    start_on: date | None = None
    end_on: date | None = None
    notice_days: int | None = None
    auto_renew: bool = Field(default=False)
    status: str = Field(default=ContractStatus.ACTIVE.value, max_length=16)
    channel: str | None = Field(default=None, max_length=128)
    crm_opportunity: str | None = Field(default=None, max_length=128)
    crm_order: str | None = Field(default=None, max_length=128)
    scope: str | None = Field(default=None, sa_type=Text)
    reminder_offsets: str | None = Field(default=None, max_length=64)
    previous_id: int | None = Field(default=None, foreign_key="contracts.id")
    created_by_id: int | None = Field(default=None, foreign_key="people.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ListCursor(SQLModel, table=True):
    """The list someone last paged through in a chat, so a bare "next page" (下一页) knows what comes next.

    One row per person per chat, overwritten by every list they ask for; not audited (nothing in the ledger
    changes) and small whatever the size of the team.
    """

    __tablename__ = "list_cursors"
    __table_args__ = (UniqueConstraint("tenant_id", "chat_id", "person_id", name="uq_list_cursor"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    chat_id: str = Field(default="", max_length=128)
    person_id: int = Field(foreign_key="people.id")
    scope: str = Field(max_length=16)  # contracts | mine | overdue | week
    page: int = Field(default=1)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Milestone(SQLModel, table=True):
    """A dated obligation of a contract: a payment, a delivery, an acceptance, a warranty, a renewal."""

    __tablename__ = "milestones"
    __table_args__ = (
        # open / overdue / this week, counted and paged in the index alone: id (SQLite's rowid anyway) makes the
        # page order (due date, id) an index order on PostgreSQL too, so skipping earlier pages reads no rows
        Index("ix_milestone_tenant_status_due", "tenant_id", "status", "due_on", "id"),
        # the trailing columns are what the reports read (money, kind, owner, contract): with them the KPIs of a
        # large team are read from the indexes without visiting the table (migration 0011); the lists keep the
        # narrow index above, which pages faster
        Index("ix_milestone_tenant_status_due_cover", "tenant_id", "status", "due_on", "id", "amount", "contract_id",
              "kind", "owner_id"),
        Index("ix_milestone_tenant_due_cover", "tenant_id", "due_on", "status", "amount", "contract_id"),
        Index("ix_milestone_tenant_done_cover", "tenant_id", "done_at", "status", "amount", "due_on", "kind",
              "owner_id", "contract_id"),
        # list mine: a person's open milestones by due date, counted and paged in the index
        Index("ix_milestone_tenant_owner_status_due", "tenant_id", "owner_id", "status", "due_on", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id")  # led by every index above (0011 dropped its own)
    contract_id: int = Field(foreign_key="contracts.id", index=True)
    kind: str = Field(default="other", max_length=16)
    title: str = Field(max_length=255)
    # None only while the milestone waits for the event it is due after (below) to happen
    due_on: date | None = None
    owner_id: int | None = Field(default=None, foreign_key="people.id", index=True)
    amount: Decimal | None = Field(default=None, sa_type=MONEY)
    percent: Decimal | None = Field(default=None, sa_type=PERCENT)
    status: str = Field(default=MilestoneStatus.OPEN.value, max_length=16)
    done_by_id: int | None = Field(default=None, foreign_key="people.id")
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminder_offsets: str | None = Field(default=None, max_length=64)
    snoozed_until: date | None = None
    note: str | None = Field(default=None, sa_type=Text)
    # Due relative to an event (验收后30天, 12 months after acceptance): ``after_count`` ``after_unit``s (day,
    # workday, week, month, year; negative: before) after another milestone of the same contract (``after_id``)
    # is done, or after the contract's ``after_event`` date (signed, start, end). ``due_on`` follows the event.
    after_id: int | None = Field(default=None, foreign_key="milestones.id", index=True)
    after_event: str | None = Field(default=None, max_length=8)
    after_count: int | None = None
    after_unit: str | None = Field(default=None, max_length=8)
    created_by_id: int | None = Field(default=None, foreign_key="people.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Payment(SQLModel, table=True):
    """Money received against a contract (回款); reversed, never deleted."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seq", name="uq_payment_seq"),
        Index("ix_payment_tenant_received_cover", "tenant_id", "received_on", "reversed_at", "amount", "contract_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    seq: int
    contract_id: int = Field(foreign_key="contracts.id", index=True)
    amount: Decimal = Field(sa_type=MONEY)
    currency: str = Field(default="CNY", max_length=8)
    received_on: date
    note: str | None = Field(default=None, sa_type=Text)
    recorded_by_id: int | None = Field(default=None, foreign_key="people.id")
    reversed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reversed_by_id: int | None = Field(default=None, foreign_key="people.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PaymentAllocation(SQLModel, table=True):
    """The part of a payment that settles one payment milestone."""

    __tablename__ = "payment_allocations"
    # what a milestone has been paid, read from the index alone (reports sum it per milestone)
    __table_args__ = (Index("ix_allocation_milestone_cover", "milestone_id", "payment_id", "amount"),)

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payments.id", index=True)
    milestone_id: int = Field(foreign_key="milestones.id")
    amount: Decimal = Field(sa_type=MONEY)
    # this allocation paid the milestone off and closed it (so a reversal knows to reopen it)
    closed: bool = Field(default=False)


class ChangeRequest(SQLModel, table=True):
    """A proposed change to a contract or milestone (变更), applied only once approved."""

    __tablename__ = "change_requests"
    __table_args__ = (UniqueConstraint("tenant_id", "seq", name="uq_change_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    seq: int
    contract_id: int = Field(foreign_key="contracts.id", index=True)
    milestone_id: int | None = Field(default=None, foreign_key="milestones.id")
    field: str = Field(max_length=32)
    old_value: str | None = Field(default=None, sa_type=Text)
    new_value: str | None = Field(default=None, sa_type=Text)
    reason: str | None = Field(default=None, sa_type=Text)
    status: str = Field(default=ChangeStatus.PENDING.value, max_length=16)
    requested_by_id: int | None = Field(default=None, foreign_key="people.id")
    decided_by_id: int | None = Field(default=None, foreign_key="people.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    """Who changed what, when, with the values before and after (JSON text)."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="people.id")
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: int | None = None
    contract_id: int | None = Field(default=None, foreign_key="contracts.id", index=True)
    before: str | None = Field(default=None, sa_type=Text)
    after: str | None = Field(default=None, sa_type=Text)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Reminder(SQLModel, table=True):
    """One planned ping of a milestone (the outbox): a stage at a UTC instant, claimed and sent once.

    A stage is keyed by the local day it is about (``day``), so moving a due date plans new rows while
    the rows already sent stay as history.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("milestone_id", "stage", "day", name="uq_reminder_stage"),
        Index("ix_reminder_status_fire", "status", "fire_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    milestone_id: int = Field(foreign_key="milestones.id", index=True)
    stage: str = Field(max_length=16)
    day: date
    fire_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=16)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    attempts: int = Field(default=0)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_ref: str | None = Field(default=None, max_length=255)
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # the copies already delivered (one target per line) while another copy waits to be retried, e.g. the
    # e-mail to a finance director after the channel's copy went out, so a retry sends each copy once
    sent_copies: str | None = Field(default=None, sa_type=Text)


class ActionKey(SQLModel, table=True):
    """An opaque key behind a button; the click is looked up here and re-checked, never trusted."""

    __tablename__ = "action_keys"

    key: str = Field(primary_key=True, max_length=32)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    action: str = Field(max_length=32)
    milestone_id: int | None = Field(default=None, foreign_key="milestones.id")
    change_id: int | None = Field(default=None, foreign_key="change_requests.id")
    reminder_id: int | None = Field(default=None, foreign_key="reminders.id")
    arg: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProcessedEvent(SQLModel, table=True):
    """A platform event id already applied, so a retried delivery is not applied twice."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("platform", "event_id", name="uq_processed_event"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    event_id: str = Field(max_length=128)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SentMessage(SQLModel, table=True):
    """A message the bot posted about a milestone, so it can be edited after someone acts on it."""

    __tablename__ = "sent_messages"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    milestone_id: int | None = Field(default=None, foreign_key="milestones.id", index=True)
    reminder_id: int | None = Field(default=None, foreign_key="reminders.id")
    ref: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Digest(SQLModel, table=True):
    """One digest per channel per local day; the unique key makes sure only one process sends it."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("tenant_id", "channel", "day", name="uq_digest_day"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    channel: str = Field(max_length=128)
    day: date
    kind: str = Field(default="daily", max_length=16)
    status: str = Field(default="sending", max_length=16)
    message_ref: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PendingQuestion(SQLModel, table=True):
    """A question the bot asked someone in a chat, answered by their next message or a button press.

    One open question per person per chat; it expires at ``expires_at`` and survives a restart.
    """

    __tablename__ = "pending_questions"
    __table_args__ = (UniqueConstraint("tenant_id", "chat_id", "person_id", name="uq_pending_question"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    chat_id: str = Field(max_length=128)
    person_id: int = Field(foreign_key="people.id")
    kind: str = Field(max_length=16)  # "choose" or "fill"
    payload: str = Field(sa_type=Text)  # JSON written by the caller
    lang: str = Field(max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class LedgerImport(SQLModel, table=True):
    """A ledger file someone sent to import: kept from the preview until it is confirmed or cancelled."""

    __tablename__ = "ledger_imports"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    person_id: int = Field(foreign_key="people.id")
    chat_id: str = Field(default="", max_length=128)
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_type=LargeBinary)
    status: str = Field(default="previewed", max_length=16)  # previewed | applied | cancelled
    summary: str | None = Field(default=None, sa_type=Text)  # JSON: what the preview counted
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    applied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CalendarToken(SQLModel, table=True):
    """The secret in a person's (or, with no person, the team's) iCalendar feed URL; revoked, never reused."""

    __tablename__ = "calendar_tokens"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="people.id")
    token: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class InboxItem(SQLModel, table=True):
    """Something a platform handed us (a Telegram update, a Slack request), stored before it is acknowledged.

    ``source`` is the bot or app it was sent to and ``update_key`` its id there (Telegram's update_id, Slack's
    event id or trigger id): unique together, so a delivery the platform retries is stored, and applied, once.
    Rows of one ``chat_key`` are applied one at a time in id order; different chats are applied in parallel.
    A worker claims a row with a lease (``claimed_by``, ``lease_until``); a row whose worker died is claimed
    again when the lease runs out. ``status``: pending -> applied, or failed after too many attempts.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("source", "update_key", name="uq_inbox_update"),
        # the oldest pending row of each chat of a platform (claim), and the backlog (metrics)
        Index("ix_inbox_lane", "platform", "status", "chat_key", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    source: str = Field(max_length=64)
    update_key: str = Field(max_length=128)
    chat_key: str = Field(max_length=128)
    payload: str = Field(sa_type=Text)  # the update as the platform sent it (JSON)
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    not_before: datetime | None = Field(default=None, sa_type=UTCDateTime)  # retry after a failed attempt
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, sa_type=Text)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    applied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OutboxMessage(SQLModel, table=True):
    """One reply call waiting to go out (Telegram's flood limits can hold a group's replies for minutes).

    Written in the same transaction that marks the inbox row it answers as applied; sent in id order per
    ``chat_key`` (the chat it goes to) by a sender loop that survives restarts. ``method`` and ``params``
    (JSON) are the platform call; a picture or a document rides in ``data``. ``not_before`` holds a row back
    after a 429 (Retry-After) or a network error. ``status``: pending -> sent, or failed.
    """

    __tablename__ = "reply_outbox"
    __table_args__ = (Index("ix_reply_outbox_lane", "platform", "status", "chat_key", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_key: str = Field(max_length=128)
    inbox_id: int | None = Field(default=None)  # the update it answers, for tracing (no foreign key: pruned apart)
    method: str = Field(max_length=32)
    params: str = Field(sa_type=Text)
    data: bytes | None = Field(default=None, sa_type=LargeBinary)
    filename: str | None = Field(default=None, max_length=255)
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    not_before: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, sa_type=Text)
    message_ref: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SlackInstallation(SQLModel, table=True):
    """A Slack workspace's installation of the app (OAuth mode), one per installer: its bot and user tokens.

    ``tenant_key`` is the team it belongs to, as Tenant.external_id spells it (``<enterprise or ->:<team>``).
    Written by the OAuth redirect, deleted when the app is uninstalled or its tokens are revoked. Tokens are
    kept as Slack issued them (like slack_sdk's own stores): protect the database as you protect the secrets.
    """

    __tablename__ = "slack_installations"
    __table_args__ = (UniqueConstraint("client_id", "tenant_key", "user_id", name="uq_slack_installation"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64)
    tenant_key: str = Field(max_length=128)
    app_id: str | None = Field(default=None, max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    enterprise_name: str | None = Field(default=None, max_length=255)
    enterprise_url: str | None = Field(default=None, max_length=255)
    team_id: str | None = Field(default=None, max_length=32)
    team_name: str | None = Field(default=None, max_length=255)
    is_enterprise_install: bool = Field(default=False)
    user_id: str = Field(max_length=32)
    user_token: str | None = Field(default=None, max_length=255)
    user_scopes: str | None = Field(default=None, sa_type=Text)
    user_refresh_token: str | None = Field(default=None, max_length=255)
    user_token_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    bot_token: str | None = Field(default=None, max_length=255)
    bot_id: str | None = Field(default=None, max_length=32)
    bot_user_id: str | None = Field(default=None, max_length=32)
    bot_scopes: str | None = Field(default=None, sa_type=Text)
    bot_refresh_token: str | None = Field(default=None, max_length=255)
    bot_token_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    token_type: str | None = Field(default=None, max_length=32)
    installed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SlackBot(SQLModel, table=True):
    """The bot token a workspace's replies and reminders go out with (OAuth mode): one per workspace and app."""

    __tablename__ = "slack_bots"
    __table_args__ = (UniqueConstraint("client_id", "tenant_key", name="uq_slack_bot"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64)
    tenant_key: str = Field(max_length=128)
    app_id: str | None = Field(default=None, max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    enterprise_name: str | None = Field(default=None, max_length=255)
    team_id: str | None = Field(default=None, max_length=32)
    team_name: str | None = Field(default=None, max_length=255)
    is_enterprise_install: bool = Field(default=False)
    bot_token: str = Field(max_length=255)
    bot_id: str = Field(max_length=32)
    bot_user_id: str = Field(max_length=32)
    bot_scopes: str = Field(default="", sa_type=Text)
    bot_refresh_token: str | None = Field(default=None, max_length=255)
    bot_token_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    installed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SlackOAuthState(SQLModel, table=True):
    """An OAuth ``state`` handed to a browser at /slack/install, good once until it expires (no SLACK_STATE_SECRET)."""

    __tablename__ = "slack_oauth_states"

    state: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class MailLink(SQLModel, table=True):
    """A one-time link in a reminder e-mail: it presses its button (``action_key``) once, as ``person_id``.

    Sent to a person who may not use the chat at all, so the action runs as that person; it works until
    ``expires_at`` (14 days) and only once (``used_at``). The URL carries the token and an HMAC of it.
    """

    __tablename__ = "mail_links"

    token: str = Field(primary_key=True, max_length=32)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    person_id: int = Field(foreign_key="people.id")
    action_key: str = Field(foreign_key="action_keys.key", max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SigningKey(SQLModel, table=True):
    """A secret the bot signs with (the e-mail links' HMAC), made once on first use and shared by every process."""

    __tablename__ = "signing_keys"

    name: str = Field(primary_key=True, max_length=32)
    secret: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
