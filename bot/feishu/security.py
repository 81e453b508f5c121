"""Is this request from Feishu, for this app? Signature, decryption and the verification token, in that order.

What Feishu sends to ``/feishu/events`` (documented under Events & callbacks, "Receive events"):

- with an Encrypt Key set in the app, the body is ``{"encrypt": base64(iv + AES-256-CBC(event))}`` with the key
  SHA-256(Encrypt Key) and PKCS#7 padding, and the request is signed: ``X-Lark-Signature`` is the hex SHA-256
  of ``X-Lark-Request-Timestamp + X-Lark-Request-Nonce + Encrypt Key + raw body``;
- without one, the body is the event itself, and only the Verification Token inside it says who sent it;
- either way the event carries the Verification Token (``header.token`` in a 2.0 event, ``token`` in the
  URL check), which must be ours;
- the URL check (``type: url_verification``) is not signed; it must be answered with its ``challenge``
  within a second.

So, with an Encrypt Key: a signed request is checked against the signature before anything in it is parsed;
an unsigned one can only be the URL check (it must decrypt with our key and carry our token). Without one:
the token decides. A request that fails gets :class:`Refused` with 401 (not from Feishu, or not for us) or
400 (not a readable event), never an exception that would become a 500.

The decryption is lark-oapi's (``AESCipher``); importing the SDK takes seconds, so the platform loads it at
start-up (:func:`load`), not on the first event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

TIMESTAMP = "X-Lark-Request-Timestamp"
NONCE = "X-Lark-Request-Nonce"
SIGNATURE = "X-Lark-Signature"
URL_VERIFICATION = "url_verification"


class Refused(Exception):
    """A request we will not take: ``status`` 401 or 400, and the reason that is logged."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def load() -> None:
    """Import lark-oapi's cipher now (several seconds the first time), so no event waits for it."""
    from lark_oapi.core.utils import AESCipher  # noqa: F401


def signature(encrypt_key: str, body: bytes, timestamp: str, nonce: str) -> str:
    """The signature Feishu puts in X-Lark-Signature for a body."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode("utf-8") + body).hexdigest()


def check_signature(encrypt_key: str, body: bytes, headers: Mapping[str, str]) -> None:
    """Refused(401) unless the request carries the signature of its raw body."""
    timestamp, nonce, given = headers.get(TIMESTAMP), headers.get(NONCE), headers.get(SIGNATURE)
    if not timestamp or not nonce or not given:
        raise Refused(401, "unsigned request")
    expected = signature(encrypt_key, body, timestamp, nonce)
    if not hmac.compare_digest(expected.encode("ascii"), given.strip().lower().encode("utf-8", "replace")):
        raise Refused(401, "wrong signature")


def decrypt(encrypt_key: str, encrypted: str) -> str:
    """The plaintext of an ``encrypt`` field; Refused(400) when it is not something our key encrypted."""
    from lark_oapi.core.utils import AESCipher

    try:
        return str(AESCipher(encrypt_key).decrypt_str(encrypted))
    except (ValueError, TypeError, UnicodeDecodeError) as exc:  # bad base64, length, padding or text
        raise Refused(400, f"cannot decrypt: {exc}") from None


def _object(text: str | bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Refused(400, f"{what} is JSON but not an object")
    return value


def token_of(event: Mapping[str, Any]) -> str:
    """The Verification Token an event carries: ``header.token`` (schema 2.0), else ``token`` (URL check, 1.0)."""
    header = event.get("header")
    token = header.get("token") if isinstance(header, dict) else event.get("token")
    return token if isinstance(token, str) else ""


def check_token(expected: str, event: Mapping[str, Any]) -> None:
    """Refused(401) unless the event carries our Verification Token."""
    given = token_of(event)
    if not expected or not given or not hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8")):
        raise Refused(401, "wrong verification token")


def open_request(body: bytes, headers: Mapping[str, str], *, verification_token: str,
                 encrypt_key: str | None) -> dict[str, Any]:
    """The event in a request from Feishu, checked; Refused(401 or 400) for anything else."""
    signed = bool(headers.get(SIGNATURE))
    if encrypt_key and signed:
        check_signature(encrypt_key, body, headers)  # before anything of the body is parsed
    outer = _object(body, "body")
    encrypted = outer.get("encrypt")
    if encrypted is not None:
        if not encrypt_key:
            raise Refused(400, "an encrypted event, but FEISHU_ENCRYPT_KEY is not set")
        if not isinstance(encrypted, str):
            raise Refused(400, "encrypt is not a string")
        event = _object(decrypt(encrypt_key, encrypted), "the decrypted event")
    else:
        event = outer
    if encrypt_key and not signed and event.get("type") != URL_VERIFICATION:
        raise Refused(401, "unsigned request")  # only the URL check comes unsigned
    check_token(verification_token, event)
    return event
