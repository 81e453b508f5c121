"""Signed one-time links: ``<public url>/mail/<token>.<signature>``.

The token names a ``MailLink`` row (what it does, as whom, until when, used or not); the signature is an
HMAC-SHA256 of the token under a secret kept in the database (storage.keys), shared by every process. A link
whose signature does not match is refused before the database is asked about its token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading

from sqlalchemy.engine import Engine

from storage.keys import signing_key

KEY_NAME = "mail-links"
PATH = "/mail/{link}"
_SIGNED = re.compile(r"(?P<token>[A-Za-z0-9_\-]{16,32})\.(?P<sig>[A-Za-z0-9_\-]{22})")


class LinkSigner:
    """Makes and checks the links of reminder e-mails."""

    def __init__(self, engine: Engine, public_url: str) -> None:
        self.engine = engine
        self.base = public_url.rstrip("/")
        self._secret: bytes | None = None
        self._lock = threading.Lock()

    def _key(self) -> bytes:
        with self._lock:
            if self._secret is None:
                self._secret = signing_key(self.engine, KEY_NAME)
            return self._secret

    def _signature(self, token: str) -> str:
        mac = hmac.new(self._key(), token.encode("ascii"), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")

    def sign(self, token: str) -> str:
        """``token.signature``: the last part of a link's path."""
        return f"{token}.{self._signature(token)}"

    def url(self, token: str) -> str:
        """The full address of a link, as people's mail programs open it."""
        return self.base + PATH.format(link=self.sign(token))

    def verify(self, signed: str) -> str | None:
        """The token of a well-formed, correctly signed link; None for anything else."""
        m = _SIGNED.fullmatch(signed)
        if m is None:
            return None
        token = m.group("token")
        return token if hmac.compare_digest(self._signature(token), m.group("sig")) else None
