"""Secrets the bot signs with, kept in the database so that every process (and every replica) shares them."""

from __future__ import annotations

import secrets

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.db import transaction
from storage.models import SigningKey


def signing_key(engine: Engine, name: str) -> bytes:
    """The secret called ``name``, made (256 random bits) the first time any process asks for it."""
    with Session(engine) as session:
        row = session.get(SigningKey, name)
        if row is not None:
            return bytes.fromhex(row.secret)
    try:
        with transaction(engine) as session:
            session.add(SigningKey(name=name, secret=secrets.token_hex(32)))
    except IntegrityError:  # another process made it at the same moment: theirs is the one
        pass
    with Session(engine) as session:
        row = session.get(SigningKey, name)
        assert row is not None, "the key was just stored"
        return bytes.fromhex(row.secret)
