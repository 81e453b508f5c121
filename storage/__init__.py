"""Storage: SQLModel tables, the engine and session, data-access functions and Alembic migrations."""
