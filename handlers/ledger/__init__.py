"""Ledgers in and out: reading the Excel/CSV ledgers teams keep, exporting the bot's ledger, calendar feeds."""
