"""Use cases: one function per command, each run inside the caller's single transaction.

Which use case carries out which command is declared in handlers.commands (the command registry).
"""
