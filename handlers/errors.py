"""Errors the user caused: each carries a message key, its parameters and a correct example."""

from __future__ import annotations


class UserError(Exception):
    """A command that cannot be carried out; the reply names the reason and shows an example."""

    def __init__(self, key: str, *, example: str | None = None, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.example = example
        self.params = params


class Refused(UserError):
    """The sender may not do this (a viewer writing, someone else's milestone, another team's button)."""


class AskFirst(Exception):
    """A use case wants an answer before it writes anything (``ask`` is a handlers.understand.Ask)."""

    def __init__(self, ask: object) -> None:
        super().__init__("ask first")
        self.ask = ask
