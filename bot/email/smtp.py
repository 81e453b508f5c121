"""Reminders by e-mail: a sync Notifier over SMTP, with the server's answers mapped to the scheduler's.

``SMTP_URL``: ``smtp://user:pass@host:587`` logs in after STARTTLS (refused without it: a password never goes
over a plain connection); ``smtp://host:25`` without a user logs in nowhere and uses STARTTLS when the server
offers it (a relay on the same network); ``smtps://user:pass@host:465`` is TLS from the first byte.

The dispatch pass calls ``send`` from a worker thread; each message opens its own connection (reminders are few
and a connection per message never goes stale between passes). What the server says:

- 4xx (greylisting, a full queue, "try later") -> RateLimited: the reminder waits in the outbox and is sent again;
- 5xx on the recipient or the message (no such mailbox, refused as spam) -> PermanentFailure: the reminder
  fails and the contract owner is told;
- a refused login, sender or TLS set-up -> a configuration error: logged, and the reminder kept for later
  (RateLimited after CONFIG_RETRY) so that nothing is lost while someone fixes SMTP_URL or MAIL_FROM;
- no connection (server down, timeout) -> RateLimited after TRANSIENT_RETRY.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.email import render
from bot.email.links import LinkSigner
from handlers.replies import Reply
from scheduler.notify import Outgoing, PermanentFailure, RateLimited

log = logging.getLogger(__name__)

TIMEOUT = 30.0  # seconds for connecting and for each SMTP exchange
TRANSIENT_RETRY = 60.0  # no connection: a later pass tries again
BUSY_RETRY = 300.0  # a 4xx answer: greylisting asks for minutes, not seconds
CONFIG_RETRY = 900.0  # a refused login or sender is a configuration error: keep the reminders, retry slowly
PORTS = {"smtp": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send, read from SMTP_URL (the password is never shown)."""

    scheme: str  # smtp (STARTTLS) | smtps (implicit TLS)
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        who = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{who}{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpServer:
    """Read SMTP_URL; ValueError with a one-line reason (never the password) when it is not usable."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError("SMTP_URL: not a URL such as smtp://user:pass@mail.example.com:587") from None
    scheme = parts.scheme.lower()
    if scheme not in PORTS:
        raise ValueError(f"SMTP_URL: the scheme must be smtp:// (STARTTLS) or smtps:// (TLS), not {scheme or '(none)'}://")
    if not parts.hostname:
        raise ValueError("SMTP_URL: no host, e.g. smtp://user:pass@mail.example.com:587")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if username and password is None:
        raise ValueError("SMTP_URL: a user without a password; write smtp://user:password@host:port")
    return SmtpServer(scheme=scheme, host=parts.hostname, port=port or PORTS[scheme], username=username,
                      password=password)


def parse_sender(value: str | None) -> tuple[str, str]:
    """MAIL_FROM as (the header value, its domain); ValueError when it is missing or not an address."""
    if not value or not value.strip():
        raise ValueError("MAIL_FROM: set the sender of reminder e-mails, e.g. MAIL_FROM=ContractBot <bot@example.com>")
    _name, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in address):
        raise ValueError(f"MAIL_FROM: {value.strip()!r} is not an address such as ContractBot <bot@example.com>")
    return value.strip(), domain.lower()


class SmtpNotifier:
    """Sends reminder e-mails; an e-mail cannot be edited afterwards, so ``update`` does nothing."""

    def __init__(self, server: SmtpServer, *, sender: str, links: LinkSigner, timeout: float = TIMEOUT,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 tls: ssl.SSLContext | None = None) -> None:
        self.server = server
        self.sender, self.domain = parse_sender(sender)
        self.links = links
        self.timeout = timeout
        self.clock = clock
        self.tls = tls or ssl.create_default_context()

    def send(self, out: Outgoing) -> str:
        """Deliver one reminder to the address in ``out.target.user_id``; return its Message-ID."""
        reply = out.message
        if not isinstance(reply, Reply) or not out.target.user_id:
            raise PermanentFailure("not an e-mail: no reply or no address")
        msg = render.build(reply, to=out.target.user_id, sender=self.sender, link=self.links.url, now=self.clock(),
                           domain=self.domain)
        self._deliver(msg, out.target.user_id)
        return str(msg["Message-ID"])

    def update(self, ref: str, message: Any, *, tenant_key: str | None = None) -> None:
        """A sent e-mail stays as it is (the chat messages of the same reminder are the ones edited)."""

    # -- SMTP ---------------------------------------------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        s = self.server
        if s.scheme == "smtps":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=self.tls)
        return smtplib.SMTP(s.host, s.port, timeout=self.timeout)

    def _deliver(self, msg: EmailMessage, to: str) -> None:
        try:
            with self._connect() as smtp:
                self._greet(smtp)
                smtp.send_message(msg, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (0, b""))
            raise _answer(code, text, f"the server refused {to}") from exc
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused, smtplib.SMTPConnectError,
                smtplib.SMTPHeloError, smtplib.SMTPNotSupportedError, ssl.SSLError, _PlainLogin) as exc:
            # not about this message or address: every reminder would meet it, so none is failed for it
            if isinstance(exc, smtplib.SMTPResponseException) and 400 <= exc.smtp_code < 500:
                raise RateLimited(BUSY_RETRY) from exc
            log.error("e-mail: %s refused us (%s); check SMTP_URL and MAIL_FROM; the reminder waits",
                      self.server, _say(exc))
            raise RateLimited(CONFIG_RETRY) from exc
        except smtplib.SMTPResponseException as exc:  # the message itself (DATA) or the greeting
            raise _answer(exc.smtp_code, exc.smtp_error, "the server refused the message") from exc
        except (smtplib.SMTPException, OSError) as exc:  # no connection, dropped, timed out
            log.warning("e-mail: cannot reach %s (%s); the reminder waits", self.server, _say(exc))
            raise RateLimited(TRANSIENT_RETRY) from exc

    def _greet(self, smtp: smtplib.SMTP) -> None:
        """EHLO, STARTTLS (required before a login), then the login when SMTP_URL has a user."""
        s = self.server
        smtp.ehlo()
        if s.scheme == "smtp" and (s.username or smtp.has_extn("starttls")):
            if not smtp.has_extn("starttls"):
                raise _PlainLogin("the server offers no STARTTLS, so the password would travel in clear")
            smtp.starttls(context=self.tls)
            smtp.ehlo()
        if s.username:
            smtp.login(s.username, s.password or "")


class _PlainLogin(smtplib.SMTPException):
    """Logging in is asked for but the connection would not be encrypted."""


def _say(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {' '.join(text.split())}"
    return " ".join(str(exc).split()) or type(exc).__name__


def _answer(code: int, text: bytes | str, what: str) -> Exception:
    """4xx: try again later; 5xx: this message or address will not be taken."""
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    said = " ".join(said.split())[:300]
    if 400 <= code < 500:
        return RateLimited(BUSY_RETRY)
    return PermanentFailure(f"{what}: {code} {said}".strip())


def make_mail_notifier(settings: Settings, engine: Engine) -> SmtpNotifier:
    """The notifier SMTP_URL and MAIL_FROM describe; ValueError (one line) when either is missing or wrong."""
    server = parse_smtp_url(settings.smtp_url or "")
    return SmtpNotifier(server, sender=settings.mail_from or "", links=LinkSigner(engine, settings.public_url))
