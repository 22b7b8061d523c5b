"""What the ledger's query groups need from the open file: reads and one write transaction."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import Any, Protocol


class Database(Protocol):
    """The ledger's file as its query groups (history, reviews) use it."""

    def _one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None: ...

    def _all(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]: ...

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...
