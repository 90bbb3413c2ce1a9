"""Opening the database: one connection per thread, writers serialized.

WAL lets the app read while a refresh writes; `BEGIN IMMEDIATE` plus a busy
timeout makes a second running copy wait for the write lock instead of
failing with "database is locked" halfway through a transaction.

A commit that takes the WAL past SQLite's threshold copies it back into the
database there and then (a checkpoint: writes and two fsyncs). A stage whose
caller goes on to other work can move that copy onto a thread of its own
(`checkpoint_after`), where it overlaps the next stage instead of delaying it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefing.errors import BriefingError
from briefing.store.schema import SCHEMA_VERSION, migrate

BUSY_TIMEOUT_MS = 30_000
# SQLite's own default: a commit that leaves more WAL pages than this checkpoints
WAL_CHECKPOINT_PAGES = 1000
SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(BriefingError):
    """The database cannot be used; the message says why, the file is untouched."""


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._checkpointer: threading.Thread | None = None
        # A home the analyst can read but not write (a read-only mount, another
        # user's files): reading and export work, every write fails clearly.
        self.read_only = _read_only(self.path)
        self._check_file()
        if self.read_only:
            self._check_read_only_schema()
            return
        with self.write() as conn:
            migrate(conn, self.path)

    # -- connections -------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                _read_only_uri(self.path) if self.read_only else self.path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
                uri=self.read_only,
            )
            conn.row_factory = sqlite3.Row
            # Old rows may hold bytes that are not UTF-8; show them, do not crash.
            conn.text_factory = lambda b: b.decode("utf-8", errors="replace")
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            if not self.read_only:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the database: {exc}") from exc
        return conn

    def _check_file(self) -> None:
        if not self.path.exists() or self.path.stat().st_size == 0:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return
        with self.path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
        if head != SQLITE_MAGIC:
            raise StoreError(f"{self.path} is not a briefing database (not SQLite); left untouched")
        version = _peek_user_version(self.path)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer briefing (schema {version}, this one "
                f"knows {SCHEMA_VERSION}); upgrade briefing. The file was left untouched."
            )

    def _check_read_only_schema(self) -> None:
        if not self.path.exists():
            raise StoreError(
                f"{self.path.parent} is read-only; briefing cannot create its database"
            )
        version = _peek_user_version(self.path)
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} needs an upgrade (schema {version} to {SCHEMA_VERSION}), "
                "but it or its folder is read-only"
            )

    def close(self) -> None:
        """Close every thread's connection (workers open their own)."""
        self.wait_checkpoint()
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()
        self._local = threading.local()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: taken at once (IMMEDIATE), committed or rolled back whole.

        A full or read-only disk surfaces as StoreError with a plain message;
        whatever the transaction had written is rolled back.
        """
        conn = self.conn
        if conn.in_transaction:  # nested: join the outer transaction
            yield conn
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: cannot write: {_plain(exc)}") from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._rollback(conn)
            raise StoreError(f"{self.path}: cannot write: {_plain(exc)}") from exc
        except BaseException:
            self._rollback(conn)
            raise

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        # SQLite may already have rolled back on its own (disk full, I/O error).
        if conn.in_transaction:
            conn.execute("ROLLBACK")

    @contextmanager
    def checkpoint_after(self) -> Iterator[None]:
        """This thread's commits inside leave the WAL as it is; if they wrote
        anything, a checkpoint on a thread of its own copies it after.

        For a stage whose caller has more work next: the copy then overlaps it.
        (Always, not past a threshold: SQLite tells no connection how many
        pages its WAL holds, and the file keeps its size once reset.)
        `close()` waits for that checkpoint.
        """
        conn = self.conn
        if self.read_only:
            yield
            return
        changes = conn.total_changes
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            if conn.total_changes != changes:
                self._checkpoint_in_background()

    def _checkpoint_in_background(self) -> None:
        with self._lock:
            running = self._checkpointer
            if running is not None and running.is_alive():
                return  # (the running one copies what it finds; the next commit catches up)
            # not a daemon (as it would be by default from the pipeline's daemon stage
            # threads): a process that exits right after still finishes the copy
            # (stopped midway, it would only leave the WAL for the next one)
            thread = threading.Thread(target=self._checkpoint, name="wal-checkpoint", daemon=False)
            self._checkpointer = thread
        thread.start()

    def _checkpoint(self) -> None:
        # its own connection, closed here: `close()` never closes it under a running step
        try:
            # (a short wait: a PASSIVE checkpoint never waits on locks, and an exit
            # waits for this thread)
            conn = sqlite3.connect(self.path, timeout=1.0)
            try:
                # PASSIVE: never waits for readers or writers; what it cannot copy
                # now, the next checkpoint does
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                conn.close()
        except sqlite3.Error:
            pass  # the WAL stays as it is: the next commit past the threshold copies it

    def wait_checkpoint(self) -> None:
        """Wait for a checkpoint `checkpoint_after` started, if one runs."""
        with self._lock:
            thread, self._checkpointer = self._checkpointer, None
        if thread is not None:
            thread.join()

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as conn:
            conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _plain(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "disk is full" in text or "disk I/O" in text:
        return f"{text} (free some disk space; nothing was half-written)"
    if "readonly" in text:
        return f"{text} (the database or its folder is read-only)"
    return text


def _read_only(path: Path) -> bool:
    """The database (or the folder its journal files go in) cannot be written by us."""
    folder = path.parent
    if not folder.is_dir():
        return False  # created (or refused) by the caller
    if path.exists() and not os.access(path, os.W_OK):
        return True
    return not os.access(folder, os.W_OK)


def _read_only_uri(path: Path) -> str:
    """Open for reading only; `immutable` when SQLite cannot make its WAL index file.

    A WAL database opened read-only needs a writable folder for its `-shm`
    file unless told that nobody changes it (or its `-wal` and `-shm` are there).
    """
    wal = path.with_name(path.name + "-wal")
    # Only without pending WAL content: `immutable` would read past it.
    settled = not wal.exists() or wal.stat().st_size == 0
    immutable = "&immutable=1" if settled and not os.access(path.parent, os.W_OK) else ""
    return f"{path.resolve().as_uri()}?mode=ro{immutable}"


def _peek_user_version(path: Path) -> int:
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a usable database ({exc}); left untouched") from exc
