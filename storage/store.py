"""``Store``: everything wiretrace keeps, behind one small API (the only module that speaks SQL).

The flow writes through ``save_document`` / ``set_boilerplate`` / ``save_alignments`` /
``replace_lineage``; reports and the CLI read the contract's views through ``documents()``,
``lineage()``, ... which return the dataclasses of ``storage.records``.

>>> store = Store("sqlite://")  # in memory; migrated on first use
>>> run_id = store.begin_run({"threshold": 0.8}, {"wiretrace": "0.1.0"})
>>> store.finish_run(run_id, {"documents": 0})
>>> [run["status"] for run in store.runs()]
['completed']
>>> Store("postgresql+psycopg://reader:s3cret@db.example/news").display_url
'postgresql+psycopg://reader:***@db.example/news'
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from alembic.util import CommandError
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from dedup.attribution import credit_kind
from dedup.clean import TEMPLATE_PIECE
from dedup.duplicates import duplicate_alignments
from dedup.records import (
    Alignment,
    AlignmentTable,
    Attribution,
    BoilerplateSpan,
    CleanedDocument,
    Cluster,
    Metadata,
    Origin,
    Quote,
    QuoteGroup,
    WordingMatches,
    content_ranges,
)
from storage import migrate, views
from storage.models import (
    DbAlignment,
    DbAttribution,
    DbBoilerplateSpan,
    DbCluster,
    DbDocument,
    DbDocumentSketch,
    DbDuplicate,
    DbOccurrence,
    DbOrigin,
    DbOriginHistory,
    DbQuote,
    DbQuoteWording,
    DbQuoteWordingMatch,
    DbRun,
    DbSkippedFile,
    DbTemplateBlocks,
)
from storage.records import (
    AlignmentRow,
    BoilerplateRow,
    ClusterRow,
    DocumentRow,
    LineageRow,
    QuoteRow,
)
from storage.urls import mask_url, unescaped_at, url_secrets

DEFAULT_URL = "sqlite:///wiretrace.db"
# Keeps IN (...) lists under SQLite's bound-parameter limit and PostgreSQL's comfort zone.
CHUNK_SIZE = 500

documents_t: Table = DbDocument.__table__  # type: ignore[assignment]
boilerplate_t: Table = DbBoilerplateSpan.__table__  # type: ignore[assignment]
attributions_t: Table = DbAttribution.__table__  # type: ignore[assignment]
alignments_t: Table = DbAlignment.__table__  # type: ignore[assignment]
clusters_t: Table = DbCluster.__table__  # type: ignore[assignment]
occurrences_t: Table = DbOccurrence.__table__  # type: ignore[assignment]
origins_t: Table = DbOrigin.__table__  # type: ignore[assignment]
history_t: Table = DbOriginHistory.__table__  # type: ignore[assignment]
quotes_t: Table = DbQuote.__table__  # type: ignore[assignment]
runs_t: Table = DbRun.__table__  # type: ignore[assignment]
skipped_t: Table = DbSkippedFile.__table__  # type: ignore[assignment]
sketches_t: Table = DbDocumentSketch.__table__  # type: ignore[assignment]
duplicates_t: Table = DbDuplicate.__table__  # type: ignore[assignment]
template_blocks_t: Table = DbTemplateBlocks.__table__  # type: ignore[assignment]
wordings_t: Table = DbQuoteWording.__table__  # type: ignore[assignment]
wording_matches_t: Table = DbQuoteWordingMatch.__table__  # type: ignore[assignment]


class StorageError(Exception):
    """A database problem worth one line to the user (never contains a password)."""


@dataclass
class StoredDocument:
    """A stored document as the detection stages need it."""

    document_id: int
    uri: str
    text: str
    boilerplate: list[BoilerplateSpan]
    metadata: Metadata
    content_hash: str
    pending: bool  # not yet aligned against the corpus in its current state
    # The spans of ``boilerplate`` the template stage added (cleaning found the others).
    template_spans: list[BoilerplateSpan] = field(default_factory=list)
    # The stored ``wire_credits``: cleaning's (``metadata.wire_credits``) plus those the last
    # trace found in the text.
    wire_credits: list[str] = field(default_factory=list)


@dataclass
class TemplateBlocksRow:
    """A document's stored template blocks (``dedup.clean.DocumentBlocks`` by uri) and the
    body blocks last marked template. ``pieces``: its ``dedup.clean.TEMPLATE_PIECE`` rows
    (None when not read, or stored before they were kept); ``marked``: whether the template
    stage has counted it in its outlet since it was saved."""

    uri: str
    outlet_key: str
    blocks: np.ndarray
    body_blocks: np.ndarray
    template_blocks: np.ndarray
    pieces: np.ndarray | None = None
    marked: bool = True


def _u64_bytes(values: np.ndarray) -> bytes:
    return np.ascontiguousarray(values, dtype="<u8").tobytes()


def _u64_array(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8")


def _pieces_bytes(pieces: np.ndarray | None) -> bytes | None:
    return None if pieces is None else np.ascontiguousarray(pieces, dtype=TEMPLATE_PIECE).tobytes()


def _pieces_array(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype=TEMPLATE_PIECE)


def _utcnow() -> datetime:
    """Naive UTC, the one datetime convention of the database (see models.py)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _db_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL; U+FFFD has the same length, so offsets stay valid.
    return value.replace("\x00", "\ufffd")


def text_hash(text: str) -> str:
    """``documents.text_hash``: sha256 of the stored text (as migration 0004 computes it)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def wording_key(wording: str) -> int:
    """``quote_wordings.wording_key``: the first 8 bytes of the wording's BLAKE2b digest as a
    signed 64-bit integer (two of 100,000 wordings share one with odds of about 3e-10; those
    that do are left out of the table: they are scored again, never mistaken)."""
    digest = hashlib.blake2b(wording.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _db_optional_text(value: str | None) -> str | None:
    return None if value is None else _db_text(value)


def _chunks(items: Sequence[Any], size: int = CHUNK_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _join_credits(credits: Iterable[str]) -> str | None:
    joined = ",".join(credit for credit in credits if credit)
    return joined or None


def _split_credits(credits: str | None) -> list[str]:
    return [credit for credit in (credits or "").split(",") if credit]


def _one_line(error: BaseException) -> str:
    """The first line of the driver's message, without SQLAlchemy's SQL and links."""
    original = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    return lines[0] if lines else type(original).__name__


# How long a new connection waits to switch a database file to WAL while others hold it (the
# connections' own busy timeout).
WAL_SWITCH_SECONDS = 30.0


def _use_wal(cursor: Any) -> None:
    """Put the database in WAL mode (kept in the file: once switched, later connections only
    read the mode). Switching needs the database to itself, and SQLite answers "database is
    locked" at once, without its busy wait, when another connection holds it (three processes
    opening a new database together, one of them migrating): wait and try again."""
    waited, pause = 0.0, 0.01
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or waited >= WAL_SWITCH_SECONDS:
                raise
        time.sleep(pause)
        waited += pause
        pause = min(pause * 2, 0.5)


def _install_sqlite_hooks(engine: Engine) -> None:
    """Foreign keys, WAL, and real transactions (DDL included) for the pysqlite driver."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        _use_wal(cursor)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # migrate.upgrade asks for BEGIN IMMEDIATE to serialise concurrent first runs.
        begin = connection.get_execution_options().get("wiretrace_sqlite_begin", "BEGIN")
        connection.exec_driver_sql(begin)


@contextmanager
def _file_lock(path: str) -> Iterator[None]:
    """Hold an OS lock (``flock``) on the file ``path``, created if missing and removed on
    release, so that no lock file outlives the run.

    The holder removes the file while still holding it; a process that opened the file before
    that, and gets the lock after, holds it on a file no longer at ``path`` (a third process
    could create a new one and lock that): it lets go and tries again on the file ``path``
    names. A file left by a killed process is locked by nobody (the kernel releases a dead
    process's locks): the next run takes it over and removes it in turn.
    """
    import fcntl

    while True:
        handle = open(path, "a+b")  # noqa: SIM115 (closed below, or when the lock is let go)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            held = os.fstat(handle.fileno())
            try:
                named = os.stat(path)
            except FileNotFoundError:
                named = None
        except BaseException:
            handle.close()
            raise
        if named is not None and (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino):
            break
        handle.close()
    try:
        yield
    finally:
        with suppress(FileNotFoundError):
            os.unlink(path)
        handle.close()  # lets the lock go


# Any fixed 64-bit number: the advisory lock that lets one wiretrace run write at a time.
RUN_LOCK_KEY = 0x77697265_74726163 >> 1


class Store:
    """wiretrace's database. Any SQLAlchemy URL; SQLite and PostgreSQL are tested."""

    def __init__(self, url: str | None = None) -> None:
        self.url: str = url or os.environ.get("WIRETRACE_DB") or DEFAULT_URL
        self.display_url: str = mask_url(self.url)
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()  # one engine (and one migration) per Store

    def __repr__(self) -> str:
        return f"Store({self.display_url!r})"

    # -- connection ---------------------------------------------------------------------------

    def _fail(self, reason: str) -> StorageError:
        for secret in sorted(url_secrets(self.url), key=len, reverse=True):
            reason = reason.replace(secret, "***")
        return StorageError(f"database {self.display_url}: {reason}")

    @property
    def engine(self) -> Engine:
        """The engine, created and migrated on first use."""
        with self._engine_lock:
            if self._engine is None:
                engine = self._create_engine()
                try:
                    migrate.upgrade(engine)
                except SQLAlchemyError as error:
                    engine.dispose()
                    raise self._fail(_one_line(error)) from error
                except CommandError as error:  # e.g. a schema newer than this wiretrace
                    engine.dispose()
                    raise self._fail(f"cannot migrate the schema: {_one_line(error)}") from error
                self._engine = engine
            return self._engine

    def _create_engine(self) -> Engine:
        try:
            sa_url = make_url(self.url)
        except Exception as error:
            raise self._fail("not a database URL (expected e.g. sqlite:///wiretrace.db)") from error
        if unescaped_at(sa_url):
            # SQLAlchemy would take the part after the '@' for the host, and show it in errors.
            raise self._fail("the password holds an unescaped '@': write it as %40")
        try:
            if sa_url.get_backend_name() == "sqlite":
                engine = create_engine(sa_url, connect_args={"timeout": 30})
                _install_sqlite_hooks(engine)
            else:
                # A server may drop idle connections (restart, failover, idle timeout) while a
                # run computes alignments: test each pooled connection before reusing it.
                engine = create_engine(sa_url, pool_pre_ping=True)
        except Exception as error:
            raise self._fail(_one_line(error)) from error
        return engine

    @property
    def shared_across_threads(self) -> bool:
        """Whether another thread may write through this store and be seen by this one: not
        for an in-memory SQLite database (each thread's connection would have its own)."""
        engine = self.engine
        return not (
            engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
        )

    def close(self) -> None:
        """Release the connection pool (the Store reconnects if used again)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the database's run lock: one writing run at a time.

        Two runs over overlapping inputs would otherwise both insert the same new documents and
        each rewrite the lineage from what it saw. PostgreSQL: a session advisory lock on a
        connection of its own. SQLite file: an OS lock on a file beside the database (SQLite's
        own lock is per transaction, not per run). Other backends: no lock.
        """
        engine = self.engine  # connects and migrates first: a bad URL fails as a StorageError
        backend, database = engine.dialect.name, engine.url.database
        if backend == "postgresql":
            try:
                connection = engine.connect()
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": RUN_LOCK_KEY})
                connection.commit()
            except DBAPIError as error:
                raise self._fail(_one_line(error)) from error
            try:
                yield
            finally:
                with suppress(DBAPIError):
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": RUN_LOCK_KEY}
                    )
                    connection.commit()
                connection.close()
        elif backend == "sqlite" and database not in (None, "", ":memory:"):
            with _file_lock(f"{database}.run-lock"):
                yield
        else:
            yield

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One transaction; database errors become a one-line StorageError."""
        engine = self.engine
        try:
            with engine.begin() as connection:
                yield connection
        except DBAPIError as error:
            raise self._fail(_one_line(error)) from error

    def _document_ids(self, connection: Connection, uris: Iterable[str]) -> dict[str, int]:
        """uri -> id for these uris; StorageError naming the first unknown one."""
        wanted = sorted(set(uris))
        found: dict[str, int] = {}
        if len(wanted) > 20 * CHUNK_SIZE:  # cheaper to read the whole map once
            wanted_set = set(wanted)
            rows = connection.execute(select(documents_t.c.uri, documents_t.c.id))
            found = {uri: doc_id for uri, doc_id in rows if uri in wanted_set}
        else:
            for chunk in _chunks(wanted):
                rows = connection.execute(
                    select(documents_t.c.uri, documents_t.c.id).where(documents_t.c.uri.in_(chunk))
                )
                found.update({uri: doc_id for uri, doc_id in rows})
        missing = [uri for uri in wanted if uri not in found]
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise StorageError(f"unknown document {missing[0]!r}{more}: save_document it first")
        return found

    @staticmethod
    def _insert_returning_ids(
        connection: Connection, table: Table, rows: list[dict[str, Any]]
    ) -> list[int]:
        """Insert rows, returning their new ids in the rows' order (one round trip if possible)."""
        if not rows:
            return []
        if connection.dialect.insert_executemany_returning_sort_by_parameter_order:
            result = connection.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
            )
            return [row_id for (row_id,) in result]
        return [connection.execute(insert(table), row).inserted_primary_key[0] for row in rows]

    @staticmethod
    def _delete_ids(connection: Connection, table: Table, column: Any, ids: Iterable[int]) -> None:
        for chunk in _chunks(sorted(set(ids))):
            connection.execute(delete(table).where(column.in_(chunk)))

    # -- runs -----------------------------------------------------------------------------------

    def begin_run(self, parameters: dict, versions: dict) -> int:
        with self._transaction() as connection:
            result = connection.execute(
                insert(runs_t).values(
                    started_at=_utcnow(),
                    status="running",
                    parameters=parameters,
                    versions=versions,
                )
            )
            return int(result.inserted_primary_key[0])

    def interrupt_stale_runs(self) -> int:
        """Mark runs still 'running' as 'interrupted' (call while holding ``exclusive()``: no
        live run can then be writing, so such a row is a run that was killed)."""
        with self._transaction() as connection:
            result = connection.execute(
                update(runs_t)
                .where(runs_t.c.status == "running")
                .values(status="interrupted", finished_at=_utcnow())
            )
            return int(result.rowcount or 0)

    def finish_run(self, run_id: int, counts: dict[str, int], status: str = "completed") -> None:
        with self._transaction() as connection:
            result = connection.execute(
                update(runs_t)
                .where(runs_t.c.id == run_id)
                .values(finished_at=_utcnow(), counts=counts, status=status)
            )
            if result.rowcount == 0:
                raise StorageError(f"unknown run {run_id}")

    def record_skipped(self, run_id: int, uri: str, reason: str) -> None:
        with self._transaction() as connection:
            connection.execute(
                insert(skipped_t).values(run_id=run_id, uri=_db_text(uri), reason=_db_text(reason))
            )

    # -- documents ------------------------------------------------------------------------------

    def known_hashes(self) -> dict[str, str]:
        """uri -> content_hash of every stored document."""
        with self._transaction() as connection:
            rows = connection.execute(select(documents_t.c.uri, documents_t.c.content_hash))
            return {uri: content_hash for uri, content_hash in rows}

    def document_sources(self) -> dict[str, tuple[str | None, str]]:
        """uri -> (source_key, content_hash) of every stored document (the key is None for
        documents stored before migration 0010 and not read since)."""
        d = documents_t.c
        with self._transaction() as connection:
            rows = connection.execute(select(d.uri, d.source_key, d.content_hash))
            return {uri: (key, content_hash) for uri, key, content_hash in rows}

    def set_source_keys(self, keys: Mapping[str, str]) -> None:
        """Record the source key of documents stored without one (uri -> key)."""
        if keys:
            with self._transaction() as connection:
                self._write_source_keys(connection, keys)

    @staticmethod
    def _write_source_keys(connection: Connection, keys: Mapping[str, str]) -> None:
        if keys:
            connection.execute(
                update(documents_t)
                .where(documents_t.c.uri == bindparam("key_uri"))
                .values(source_key=bindparam("key_value")),
                [{"key_uri": uri, "key_value": _db_text(key)} for uri, key in keys.items()],
            )

    def save_document(
        self, uri: str, content_hash: str, source_format: str, doc: CleanedDocument
    ) -> int:
        """Store a cleaned document; returns its id.

        New uri: inserted, pending alignment. Same uri and hash: nothing changes. Same uri, new
        hash: text, boilerplate and metadata replaced; its alignments, occurrences, quotes and
        attributions (whose offsets pointed into the old text) deleted; pending again.
        """
        return self.save_documents([(uri, content_hash, source_format, doc)])[0]

    def save_documents(
        self,
        items: Iterable[tuple[str, str, str, CleanedDocument]],
        template_blocks: Mapping[str, TemplateBlocksRow] | None = None,
        source_keys: Mapping[str, str] | None = None,
    ) -> list[int]:
        """``save_document`` for many ``(uri, content_hash, source_format, doc)`` at once, in one
        transaction with a handful of round trips (for large corpora); ids in input order.

        ``template_blocks``: the documents' template blocks by uri, computed when they were
        cleaned, stored with them (not yet marked: the template stage counts them in their
        outlets next), so that finding templates reads no text back. ``source_keys``: what
        each document is (uri -> key, see ``documents.source_key``), recorded with it."""
        items = list(items)
        latest = {uri: index for index, (uri, *_rest) in enumerate(items)}  # last one wins
        prepared: dict[str, tuple[dict[str, Any], list[BoilerplateSpan]]] = {}
        for uri, index in latest.items():
            _, content_hash, source_format, doc = items[index]
            prepared[uri] = self._document_values(uri, content_hash, source_format, doc)
        with self._transaction() as connection:
            existing: dict[str, tuple[int, str]] = {}
            for chunk in _chunks(sorted(prepared)):
                rows = connection.execute(
                    select(documents_t.c.uri, documents_t.c.id, documents_t.c.content_hash).where(
                        documents_t.c.uri.in_(chunk)
                    )
                )
                existing.update({row.uri: (row.id, row.content_hash) for row in rows})
            now = _utcnow()
            ids = {uri: found[0] for uri, found in existing.items()}
            new_uris = [uri for uri in prepared if uri not in existing]
            changed_uris = [
                uri
                for uri, (values, _) in prepared.items()
                if uri in existing and existing[uri][1] != values["content_hash"]
            ]
            new_rows = [
                {"uri": uri, "created_at": now, "updated_at": now, **prepared[uri][0]}
                for uri in new_uris
            ]
            inserted = self._insert_returning_ids(connection, documents_t, new_rows)
            ids.update(zip(new_uris, inserted, strict=True))
            if changed_uris:
                connection.execute(
                    update(documents_t)
                    .where(documents_t.c.id == bindparam("doc_id"))
                    .values({name: bindparam(f"new_{name}") for name in DOCUMENT_FIELDS})
                    .values(updated_at=now),
                    [
                        {
                            "doc_id": ids[uri],
                            **{f"new_{k}": v for k, v in prepared[uri][0].items()},
                        }
                        for uri in changed_uris
                    ],
                )
                changed_ids = [ids[uri] for uri in changed_uris]
                # Everything computed from the old text goes; sketches and template blocks
                # are made again, and whether it is a duplicate is decided again below.
                for table in (
                    boilerplate_t, occurrences_t, quotes_t, attributions_t, sketches_t,
                    template_blocks_t, duplicates_t,
                ):  # fmt: skip
                    self._delete_ids(connection, table, table.c.document_id, changed_ids)
                self._delete_alignments_of(connection, changed_ids)
            span_rows = [
                {
                    "document_id": ids[uri],
                    "start_char": span.start_char,
                    "end_char": span.end_char,
                    "kind": span.kind,
                }
                for uri in [*new_uris, *changed_uris]
                for span in prepared[uri][1]
            ]
            if span_rows:
                connection.execute(insert(boilerplate_t), span_rows)
            if changed_uris:
                self._release_duplicates_of(connection, [ids[uri] for uri in changed_uris])
            saved = [uri for uri in latest if uri in set(new_uris) | set(changed_uris)]
            if source_keys:
                self._write_source_keys(
                    connection, {uri: source_keys[uri] for uri in saved if uri in source_keys}
                )
            if template_blocks:
                rows = [template_blocks[uri] for uri in saved if uri in template_blocks]
                ids_saved = {uri: ids[uri] for uri in saved}
                self._insert_template_blocks(connection, rows, ids_saved, marked=False)
            self._record_duplicates(
                connection, [(ids[uri], prepared[uri][0]["text_hash"]) for uri in saved]
            )
        return [int(ids[uri]) for uri, *_rest in items]

    def _record_duplicates(self, connection: Connection, saved: list[tuple[int, str]]) -> None:
        """Record each just saved ``(document_id, text_hash)`` whose text equals an earlier
        document's as that document's duplicate, in input order (so the first of two equal
        texts in one batch is the original, as it would be a night earlier). A duplicate is
        not pending: it is never aligned itself (see ``_sync_duplicate_alignments``)."""
        if not saved:
            return
        d = documents_t.c
        just_saved = {document_id for document_id, _ in saved}
        is_duplicate = select(duplicates_t.c.document_id).where(duplicates_t.c.document_id == d.id)
        originals: dict[str, int] = {}
        for chunk in _chunks(sorted({hash_value for _, hash_value in saved})):
            rows = connection.execute(
                select(d.text_hash, d.id)
                .where(d.text_hash.in_(chunk), ~is_duplicate.exists())
                .order_by(d.id)
            )
            for hash_value, document_id in rows:
                if document_id not in just_saved:
                    originals.setdefault(hash_value, document_id)
        duplicates: list[dict[str, int]] = []
        for document_id, hash_value in saved:
            original = originals.setdefault(hash_value, document_id)
            if original != document_id:
                duplicates.append({"document_id": document_id, "original_id": original})
        if duplicates:
            connection.execute(insert(duplicates_t), duplicates)
            for chunk in _chunks([row["document_id"] for row in duplicates]):
                connection.execute(update(documents_t).where(d.id.in_(chunk)).values(pending=False))

    def _release_duplicates_of(self, connection: Connection, original_ids: list[int]) -> None:
        """Documents whose original's text changed are duplicates no more: pending, to be
        sketched and aligned as any document; their derived alignments go."""
        u = duplicates_t.c
        released: list[int] = []
        for chunk in _chunks(sorted(original_ids)):
            released += [
                document_id
                for (document_id,) in connection.execute(
                    select(u.document_id).where(u.original_id.in_(chunk))
                )
            ]
        if not released:
            return
        self._delete_ids(connection, duplicates_t, u.document_id, released)
        self._delete_alignments_of(connection, released)
        for chunk in _chunks(released):
            connection.execute(
                update(documents_t).where(documents_t.c.id.in_(chunk)).values(pending=True)
            )

    def duplicates(self) -> list[tuple[str, str]]:
        """``(duplicate uri, original uri)`` of every recorded duplicate, sorted."""
        v = text("SELECT uri, original_uri FROM v_duplicates ORDER BY uri")
        with self._transaction() as connection:
            return [(uri, original) for uri, original in connection.execute(v)]

    def _document_values(
        self, uri: str, content_hash: str, source_format: str, doc: CleanedDocument
    ) -> tuple[dict[str, Any], list[BoilerplateSpan]]:
        text = _db_text(doc.text)
        spans = sorted(set(doc.boilerplate))
        self._check_spans(uri, len(text), spans)
        metadata = doc.metadata
        values = {
            "content_hash": content_hash,
            "source_format": source_format,
            "text": text,
            "clean_text": _db_text(doc.clean_text),
            "title": _db_optional_text(metadata.title),
            "outlet": _db_optional_text(metadata.outlet),
            "author": _db_optional_text(metadata.author),
            "published_at": _naive_utc(metadata.published_at),
            "wire_credits": _join_credits(metadata.wire_credits),
            "cleaning_wire_credits": _join_credits(metadata.wire_credits),
            "original_share": None,
            "pending": True,
            "text_hash": text_hash(text),
        }
        return values, spans

    @staticmethod
    def _check_spans(uri: str, text_length: int, spans: list[BoilerplateSpan]) -> None:
        for span in spans:
            if not 0 <= span.start_char <= span.end_char <= text_length:
                raise StorageError(
                    f"{uri}: boilerplate span {span.start_char}..{span.end_char} "
                    f"outside its text of {text_length} characters"
                )

    @staticmethod
    def _insert_spans(
        connection: Connection,
        document_id: int,
        spans: list[BoilerplateSpan],
        template: bool = False,
    ) -> None:
        if spans:
            connection.execute(
                insert(boilerplate_t),
                [
                    {
                        "document_id": document_id,
                        "start_char": span.start_char,
                        "end_char": span.end_char,
                        "kind": span.kind,
                        "template": template,
                    }
                    for span in spans
                ],
            )

    @staticmethod
    def _delete_alignments_of(connection: Connection, document_ids: Sequence[int]) -> None:
        """Delete the alignments of ``document_ids``, and make their partners' lineage due
        (``original_share`` NULL): a lost alignment moves the cuts of the partner's passages,
        and the trace re-clusters only around due documents (``lineage_scope``)."""
        a = alignments_t.c
        for chunk in _chunks(sorted(set(document_ids))):
            touches = or_(a.document_a_id.in_(chunk), a.document_b_id.in_(chunk))
            partners = {
                document_id
                for pair in connection.execute(
                    select(a.document_a_id, a.document_b_id).where(touches)
                )
                for document_id in pair
            }
            connection.execute(delete(alignments_t).where(touches))
            for partner_chunk in _chunks(sorted(partners)):
                connection.execute(
                    update(documents_t)
                    .where(documents_t.c.id.in_(partner_chunk))
                    .values(original_share=None)
                )

    def set_boilerplate(self, uri: str, spans: list[BoilerplateSpan]) -> bool:
        """Replace a document's boilerplate spans (and clean_text); returns whether they changed.

        A change makes the document pending again and deletes its alignments, since alignment
        only looks at body text.
        """
        with self._transaction() as connection:
            return self._set_boilerplate(connection, uri, spans)

    def set_boilerplate_many(self, items: Iterable[tuple[str, list[BoilerplateSpan]]]) -> list[str]:
        """``set_boilerplate`` for many documents in one transaction; the uris that changed.

        One commit instead of one per document: at 10k documents the per-document commits of
        the template stage cost more than finding the templates.
        """
        with self._transaction() as connection:
            return [uri for uri, spans in items if self._set_boilerplate(connection, uri, spans)]

    def _set_boilerplate(
        self,
        connection: Connection,
        uri: str,
        spans: list[BoilerplateSpan],
        template_only: bool = False,
    ) -> bool:
        """Replace all of a document's spans, or with ``template_only`` its template spans
        (``spans`` are then the template spans; cleaning's stay)."""
        new_spans = sorted(set(spans))
        document = connection.execute(
            select(documents_t.c.id, documents_t.c.text).where(documents_t.c.uri == uri)
        ).first()
        if document is None:
            raise StorageError(f"unknown document {uri!r}: save_document it first")
        self._check_spans(uri, len(document.text), new_spans)
        b = boilerplate_t.c
        rows = connection.execute(
            select(b.start_char, b.end_char, b.kind, b.template).where(b.document_id == document.id)
        ).all()
        kept = [
            BoilerplateSpan(start, end, kind)
            for start, end, kind, is_template in rows
            if template_only and not is_template
        ]
        old_spans = [
            BoilerplateSpan(start, end, kind)
            for start, end, kind, is_template in rows
            if not template_only or is_template
        ]
        if sorted(old_spans) == new_spans:
            return False
        ranges = content_ranges(len(document.text), kept + new_spans)
        clean_text = "".join(document.text[start:end] for start, end in ranges)
        statement = delete(boilerplate_t).where(b.document_id == document.id)
        if template_only:
            statement = statement.where(b.template)
        connection.execute(statement)
        self._insert_spans(connection, document.id, new_spans, template=template_only)
        connection.execute(
            update(documents_t)
            .where(documents_t.c.id == document.id)
            # original_share NULL: its attributions, credits and quotes are due again
            .values(clean_text=clean_text, pending=True, original_share=None, updated_at=_utcnow())
        )
        self._delete_alignments_of(connection, [document.id])
        # Its body tokens changed: the sketch is made again from the new body.
        connection.execute(delete(sketches_t).where(sketches_t.c.document_id == document.id))
        if not template_only:
            # Its template pieces were cut to cleaning's old spans: its template spans are
            # found from its text from now on.
            connection.execute(
                update(template_blocks_t)
                .where(template_blocks_t.c.document_id == document.id)
                .values(pieces=None)
            )
        return True

    def detection_inputs(self, uris: Iterable[str] | None = None) -> list[StoredDocument]:
        """Stored documents with their boilerplate and metadata, ordered by uri: all of them, or
        those of ``uris`` (unknown uris are left out), so that a nightly run reads the texts of
        its batch and their candidate partners only."""
        wanted = None if uris is None else sorted(set(uris))
        with self._transaction() as connection:
            if wanted is None:
                return self._detection_rows(connection, None)
            found: list[StoredDocument] = []
            for chunk in _chunks(wanted):
                found.extend(self._detection_rows(connection, chunk))
            return sorted(found, key=lambda doc: doc.uri)

    def _detection_rows(
        self, connection: Connection, uris: Sequence[str] | None
    ) -> list[StoredDocument]:
        d, b = documents_t.c, boilerplate_t.c
        documents = select(
            d.id, d.uri, d.text, d.title, d.outlet, d.author, d.published_at,
            d.wire_credits, d.cleaning_wire_credits, d.content_hash, d.pending,
        ).order_by(d.uri)  # fmt: skip
        spans = select(b.document_id, b.start_char, b.end_char, b.kind, b.template).order_by(
            b.document_id, b.start_char, b.end_char
        )
        if uris is not None:
            documents = documents.where(d.uri.in_(uris))
            spans = spans.join(documents_t, documents_t.c.id == b.document_id).where(
                d.uri.in_(uris)
            )
        spans_by_document: dict[int, list[BoilerplateSpan]] = defaultdict(list)
        template_by_document: dict[int, list[BoilerplateSpan]] = defaultdict(list)
        for document_id, start, end, kind, is_template in connection.execute(spans):
            span = BoilerplateSpan(start, end, kind)
            spans_by_document[document_id].append(span)
            if is_template:
                template_by_document[document_id].append(span)
        return [
            StoredDocument(
                document_id=row.id,
                uri=row.uri,
                text=row.text,
                boilerplate=spans_by_document.get(row.id, []),
                metadata=Metadata(
                    title=row.title,
                    outlet=row.outlet,
                    author=row.author,
                    published_at=row.published_at,
                    wire_credits=_split_credits(row.cleaning_wire_credits),
                ),
                content_hash=row.content_hash,
                pending=bool(row.pending),
                template_spans=template_by_document.get(row.id, []),
                wire_credits=_split_credits(row.wire_credits),
            )
            for row in connection.execute(documents)
        ]

    def pending_uris(self) -> list[str]:
        """Documents not yet aligned in their current state (duplicates never are: they take
        their original's alignments), sorted."""
        d = documents_t.c
        is_duplicate = select(duplicates_t.c.document_id).where(duplicates_t.c.document_id == d.id)
        with self._transaction() as connection:
            rows = connection.execute(
                select(d.uri).where(d.pending, ~is_duplicate.exists()).order_by(d.uri)
            )
            return [uri for (uri,) in rows]

    def document_count(self) -> int:
        with self._transaction() as connection:
            return int(connection.execute(select(func.count()).select_from(documents_t)).scalar())

    # -- templates ------------------------------------------------------------------------------

    def uris_without_template_blocks(self) -> list[str]:
        """Documents whose template blocks are not stored yet (new or changed), sorted."""
        d, t = documents_t.c, template_blocks_t.c
        stored = select(t.document_id).where(t.document_id == d.id)
        with self._transaction() as connection:
            rows = connection.execute(select(d.uri).where(~stored.exists()).order_by(d.uri))
            return [uri for (uri,) in rows]

    def _save_template_blocks(self, connection: Connection, rows: list[TemplateBlocksRow]) -> None:
        """Store (or replace) documents' template blocks."""
        if rows:
            ids = self._document_ids(connection, [row.uri for row in rows])
            t = template_blocks_t.c
            self._delete_ids(connection, template_blocks_t, t.document_id, ids.values())
            self._insert_template_blocks(connection, rows, ids)

    @staticmethod
    def _insert_template_blocks(
        connection: Connection,
        rows: list[TemplateBlocksRow],
        ids: Mapping[str, int],
        marked: bool | None = None,
    ) -> None:
        """Insert rows of template blocks (``marked``: instead of each row's own)."""
        values = [
            {
                "document_id": ids[row.uri],
                "outlet_key": _db_text(row.outlet_key),
                "blocks": _u64_bytes(row.blocks),
                "body_blocks": _u64_bytes(row.body_blocks),
                "template_blocks": _u64_bytes(row.template_blocks),
                "pieces": _pieces_bytes(row.pieces),
                "marked": row.marked if marked is None else marked,
            }
            for row in rows
        ]
        for chunk in _chunks(values):
            connection.execute(insert(template_blocks_t), list(chunk))

    def unmarked_templates(self) -> dict[str, str]:
        """uri -> outlet key (``""``: none) of the documents whose blocks the template stage
        has not counted yet (saved since it last ran)."""
        d, t = documents_t.c, template_blocks_t.c
        with self._transaction() as connection:
            rows = connection.execute(
                select(d.uri, t.outlet_key)
                .join(documents_t, d.id == t.document_id)
                .where(~t.marked)
            )
            return {uri: outlet for uri, outlet in rows}

    def template_pieces(self, uris: Iterable[str]) -> dict[str, np.ndarray | None]:
        """The stored template pieces of these documents (None: stored before pieces were)."""
        d, t = documents_t.c, template_blocks_t.c
        found: dict[str, np.ndarray | None] = {}
        with self._transaction() as connection:
            for chunk in _chunks(sorted(set(uris))):
                rows = connection.execute(
                    select(d.uri, t.pieces)
                    .join(documents_t, d.id == t.document_id)
                    .where(d.uri.in_(chunk))
                )
                found.update((uri, _pieces_array(pieces)) for uri, pieces in rows)
        return found

    def template_blocks(self, outlet_keys: Iterable[str]) -> list[TemplateBlocksRow]:
        """The stored template blocks of every document of these outlets, by uri."""
        d, t = documents_t.c, template_blocks_t.c
        found: list[TemplateBlocksRow] = []
        with self._transaction() as connection:
            for chunk in _chunks(sorted(set(outlet_keys))):
                rows = connection.execute(
                    select(
                        d.uri, t.outlet_key, t.blocks, t.body_blocks, t.template_blocks, t.marked
                    )
                    .join(documents_t, d.id == t.document_id)
                    .where(t.outlet_key.in_(chunk))
                    .order_by(d.uri)
                )
                found.extend(
                    TemplateBlocksRow(
                        uri,
                        outlet,
                        _u64_array(blocks),
                        _u64_array(body),
                        _u64_array(template),
                        marked=bool(marked),
                    )
                    for uri, outlet, blocks, body, template, marked in rows
                )
        return found

    def save_templates(
        self,
        blocks: Iterable[TemplateBlocksRow],
        marks: Mapping[str, np.ndarray],
        spans: Iterable[tuple[str, list[BoilerplateSpan]]],
    ) -> list[str]:
        """Store documents' template blocks whole (``blocks``), set stored documents' marked
        blocks (``marks``: they are counted in their outlet from now on), and replace
        documents' template spans (cleaning's spans stay), in one transaction, so that a run
        killed half way leaves either all or none of it; returns the uris whose boilerplate
        changed (pending again, alignments and sketch deleted), in the order of ``spans``."""
        rows = list(blocks)
        with self._transaction() as connection:
            self._save_template_blocks(connection, rows)
            self._set_marks(connection, marks)
            return self._set_template_spans(connection, list(spans))

    def _set_marks(self, connection: Connection, marks: Mapping[str, np.ndarray]) -> None:
        ids = self._document_ids(connection, marks)
        t = template_blocks_t.c
        values = [
            {"doc_id": ids[uri], "marks": _u64_bytes(marked)} for uri, marked in marks.items()
        ]
        statement = (
            update(template_blocks_t)
            .where(t.document_id == bindparam("doc_id"))
            .values(template_blocks=bindparam("marks"), marked=True)
        )
        for chunk in _chunks(values, 20 * CHUNK_SIZE):
            connection.execute(statement, list(chunk))

    def _set_template_spans(
        self, connection: Connection, items: list[tuple[str, list[BoilerplateSpan]]]
    ) -> list[str]:
        """``_set_boilerplate(..., template_only=True)`` for many documents, a few statements
        per 500 documents instead of eight per document; the uris that changed."""
        if not items:
            return []
        ids = self._document_ids(connection, [uri for uri, _ in items])
        new_spans = {ids[uri]: sorted(set(spans)) for uri, spans in items}
        old_spans = self._spans_of(connection, list(new_spans), template=True)
        changed = sorted(
            document_id
            for document_id, spans in new_spans.items()
            if sorted(old_spans.get(document_id, [])) != spans
        )
        if not changed:
            return []
        kept = self._spans_of(connection, changed, template=False)
        b = boilerplate_t.c
        now = _utcnow()
        document_rows: list[dict[str, Any]] = []
        for chunk in _chunks(changed):
            texts = connection.execute(
                select(documents_t.c.id, documents_t.c.uri, documents_t.c.text).where(
                    documents_t.c.id.in_(chunk)
                )
            )
            for document_id, uri, document_text in texts:
                spans = new_spans[document_id]
                self._check_spans(uri, len(document_text), spans)
                ranges = content_ranges(len(document_text), kept.get(document_id, []) + spans)
                document_rows.append(
                    {
                        "doc_id": document_id,
                        "clean_text": "".join(document_text[start:end] for start, end in ranges),
                    }
                )
            connection.execute(delete(boilerplate_t).where(b.document_id.in_(chunk), b.template))
        span_rows = [
            {
                "document_id": document_id,
                "start_char": span.start_char,
                "end_char": span.end_char,
                "kind": span.kind,
                "template": True,
            }
            for document_id in changed
            for span in new_spans[document_id]
        ]
        if span_rows:
            connection.execute(insert(boilerplate_t), span_rows)
        connection.execute(
            update(documents_t)
            .where(documents_t.c.id == bindparam("doc_id"))
            # original_share NULL: its attributions, credits and quotes are due again
            .values(
                clean_text=bindparam("clean_text"),
                pending=True,
                original_share=None,
                updated_at=now,
            ),
            document_rows,
        )
        self._delete_alignments_of(connection, changed)
        # Their body tokens changed: the sketches are made again from the new bodies.
        self._delete_ids(connection, sketches_t, sketches_t.c.document_id, changed)
        changed_ids = set(changed)
        return [uri for uri, _ in items if ids[uri] in changed_ids]

    @staticmethod
    def _spans_of(
        connection: Connection, document_ids: list[int], template: bool
    ) -> dict[int, list[BoilerplateSpan]]:
        """The stored template spans (or cleaning's) of these documents."""
        b = boilerplate_t.c
        found: dict[int, list[BoilerplateSpan]] = defaultdict(list)
        for chunk in _chunks(sorted(document_ids)):
            rows = connection.execute(
                select(b.document_id, b.start_char, b.end_char, b.kind).where(
                    b.document_id.in_(chunk), b.template if template else ~b.template
                )
            )
            for document_id, start, end, kind in rows:
                found[document_id].append(BoilerplateSpan(start, end, kind))
        return found

    # -- sketches -------------------------------------------------------------------------------

    def unsketched_uris(self, params: str) -> list[str]:
        """Documents (duplicates aside) without a sketch made with ``params``, sorted: new or
        changed ones, and all of them after the candidate parameters change."""
        d, k = documents_t.c, sketches_t.c
        sketched = select(k.document_id).where(k.document_id == d.id, k.params == params)
        is_duplicate = select(duplicates_t.c.document_id).where(duplicates_t.c.document_id == d.id)
        with self._transaction() as connection:
            rows = connection.execute(
                select(d.uri).where(~sketched.exists(), ~is_duplicate.exists()).order_by(d.uri)
            )
            return [uri for (uri,) in rows]

    def save_sketches(
        self, params: str, sketches: Iterable[tuple[str, np.ndarray, np.ndarray]]
    ) -> None:
        """Store ``(uri, band_keys, shingles)`` sketches made with ``params`` (replacing any
        older sketch of those documents), in one transaction."""
        items = list(sketches)
        with self._transaction() as connection:
            ids = self._document_ids(connection, [uri for uri, _, _ in items])
            self._delete_ids(connection, sketches_t, sketches_t.c.document_id, ids.values())
            rows = [
                {
                    "document_id": ids[uri],
                    "params": params,
                    "band_keys": _u64_bytes(keys),
                    "shingles": np.ascontiguousarray(shingles, dtype="<u4").tobytes(),
                }
                for uri, keys, shingles in items
            ]
            for chunk in _chunks(rows):
                connection.execute(insert(sketches_t), list(chunk))

    def iter_band_keys(
        self, params: str, chunk_size: int = 5000, aligned_only: bool = False
    ) -> Iterator[list[tuple[str, np.ndarray]]]:
        """Every stored sketch's ``(uri, band_keys)`` made with ``params`` (with
        ``aligned_only``, of documents that are not pending), in chunks of ``chunk_size``
        documents, read as they are consumed: the archive's keys are never all in memory at
        once. Arrays are read-only views of the stored bytes."""
        d, k = documents_t.c, sketches_t.c
        statement = (
            select(d.uri, k.band_keys)
            .join(documents_t, d.id == k.document_id)
            .where(k.params == params)
            .order_by(k.document_id)
        )
        if aligned_only:
            statement = statement.where(~d.pending)
        with self._transaction() as connection:
            result = connection.execution_options(yield_per=chunk_size).execute(statement)
            for rows in result.partitions():
                yield [(uri, np.frombuffer(blob, dtype="<u8")) for uri, blob in rows]

    def sketch_shingles(self, uris: Iterable[str], params: str) -> dict[str, np.ndarray]:
        """uri -> stored shingle hashes (made with ``params``) of these documents."""
        return self._sketch_arrays(uris, params, sketches_t.c.shingles, "<u4")

    def sketch_band_keys(self, uris: Iterable[str], params: str) -> dict[str, np.ndarray]:
        """uri -> stored band keys (made with ``params``) of these documents."""
        return self._sketch_arrays(uris, params, sketches_t.c.band_keys, "<u8")

    def _sketch_arrays(
        self, uris: Iterable[str], params: str, column: Any, dtype: str
    ) -> dict[str, np.ndarray]:
        d, k = documents_t.c, sketches_t.c
        found: dict[str, np.ndarray] = {}
        with self._transaction() as connection:
            for chunk in _chunks(sorted(set(uris))):
                rows = connection.execute(
                    select(d.uri, column)
                    .join(documents_t, d.id == k.document_id)
                    .where(k.params == params, d.uri.in_(chunk))
                )
                found.update((uri, np.frombuffer(blob, dtype=dtype)) for uri, blob in rows)
        return found

    # -- alignments -----------------------------------------------------------------------------

    def save_alignments(self, done_uris: list[str], alignments: list[Alignment]) -> None:
        """Add alignments (existing ones and self-alignments skipped) and mark ``done_uris``
        as aligned, in one transaction."""
        uris = set(done_uris) | {a.doc_a for a in alignments} | {a.doc_b for a in alignments}
        with self._transaction() as connection:
            ids = self._document_ids(connection, uris)
            rows: dict[tuple[int, ...], dict[str, Any]] = {}
            for alignment in alignments:
                if ids[alignment.doc_a] == ids[alignment.doc_b]:
                    continue
                if ids[alignment.doc_a] > ids[alignment.doc_b]:
                    alignment = alignment.swapped()
                row = {
                    "document_a_id": ids[alignment.doc_a],
                    "document_b_id": ids[alignment.doc_b],
                    "a_start": alignment.a_start,
                    "a_end": alignment.a_end,
                    "b_start": alignment.b_start,
                    "b_end": alignment.b_end,
                    "similarity": float(alignment.similarity),
                    "runs": pack_runs(alignment.blocks),
                }
                key = tuple(row[name] for name in ALIGNMENT_KEY)
                rows.setdefault(key, row)
            self._insert_new_alignments(connection, rows)
            done_ids = sorted({ids[uri] for uri in done_uris})
            for chunk in _chunks(done_ids):
                connection.execute(
                    update(documents_t).where(documents_t.c.id.in_(chunk)).values(pending=False)
                )
            self._sync_duplicate_alignments(connection)

    def sync_duplicate_alignments(self) -> None:
        """Make every duplicate's alignments those derived from its original's now."""
        with self._transaction() as connection:
            self._sync_duplicate_alignments(connection)

    def _sync_duplicate_alignments(self, connection: Connection) -> None:
        """Rewrite the alignments of duplicates that differ from those derived from their
        original's (``dedup.duplicates``): copies of the original's alignments plus the rest of
        its body. Cheap: duplicates are a few percent of a corpus, and only differences are
        written."""
        u, a = duplicates_t.c, alignments_t.c
        original_of = {row.document_id: row.original_id for row in connection.execute(select(u))}
        if not original_of:
            return
        originals = sorted(set(original_of.values()))
        related = sorted(set(originals) | set(original_of))
        by_document: dict[int, list[Any]] = defaultdict(list)
        seen: set[int] = set()
        columns = (a.id, a.document_a_id, a.a_start, a.a_end, a.document_b_id, a.b_start,
                   a.b_end, a.similarity, a.runs)  # fmt: skip
        for chunk in _chunks(related):
            for column in (a.document_a_id, a.document_b_id):
                for row in connection.execute(select(*columns).where(column.in_(chunk))):
                    if row.id in seen:
                        continue
                    seen.add(row.id)
                    by_document[row.document_a_id].append(row)
                    by_document[row.document_b_id].append(row)
        texts = self._texts(connection, originals)
        spans: dict[int, list[BoilerplateSpan]] = defaultdict(list)
        b = boilerplate_t.c
        for chunk in _chunks(originals):
            for document_id, start, end, kind in connection.execute(
                select(b.document_id, b.start_char, b.end_char, b.kind).where(
                    b.document_id.in_(chunk)
                )
            ):
                spans[document_id].append(BoilerplateSpan(start, end, kind))
        wanted: dict[tuple[int, ...], dict[str, Any]] = {}
        current: dict[tuple[int, ...], int] = {}
        for duplicate, original in sorted(original_of.items()):
            real = [
                Alignment(str(row.document_a_id), row.a_start, row.a_end,
                          str(row.document_b_id), row.b_start, row.b_end, row.similarity,
                          tuple(unpack_runs(row.runs).ravel().tolist()))
                for row in by_document.get(original, [])
                if row.document_a_id not in original_of and row.document_b_id not in original_of
            ]  # fmt: skip
            for alignment in duplicate_alignments(
                str(duplicate), str(original), texts[original], spans[original], real
            ):
                row = _alignment_row(alignment)
                wanted.setdefault(tuple(row[name] for name in ALIGNMENT_KEY), row)
            for row in by_document.get(duplicate, []):
                current[(row.document_a_id, row.document_b_id, row.a_start, row.a_end,
                         row.b_start, row.b_end)] = row.id  # fmt: skip
        stale = [row_id for key, row_id in current.items() if key not in wanted]
        self._delete_ids(connection, alignments_t, a.id, stale)
        fresh = {key: row for key, row in wanted.items() if key not in current}
        self._insert_new_alignments(connection, fresh)

    def document_texts(self, uris: Iterable[str]) -> dict[str, str]:
        """uri -> text (``v_documents.text``) of those of ``uris`` that are stored."""
        d = documents_t.c
        found: dict[str, str] = {}
        with self._transaction() as connection:
            for chunk in _chunks(sorted(set(uris))):
                found.update(connection.execute(select(d.uri, d.text).where(d.uri.in_(chunk))).all())
        return found

    @staticmethod
    def _texts(connection: Connection, document_ids: list[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in _chunks(document_ids):
            found.update(
                connection.execute(
                    select(documents_t.c.id, documents_t.c.text).where(documents_t.c.id.in_(chunk))
                ).all()
            )
        return found

    @staticmethod
    def _insert_new_alignments(
        connection: Connection, rows: dict[tuple[int, ...], dict[str, Any]]
    ) -> None:
        if not rows:
            return
        ordered = [rows[key] for key in sorted(rows)]
        dialect = connection.dialect.name
        if dialect in ("sqlite", "postgresql"):
            if dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert as dialect_insert
            else:
                from sqlalchemy.dialects.postgresql import insert as dialect_insert
            statement = dialect_insert(alignments_t).on_conflict_do_nothing(
                index_elements=list(ALIGNMENT_KEY)
            )
            connection.execute(statement, ordered)
            return
        # Other backends: filter against the keys already stored for these documents.
        document_ids = sorted({row["document_a_id"] for row in ordered})
        existing: set[tuple[int, ...]] = set()
        key_columns = [alignments_t.c[name] for name in ALIGNMENT_KEY]
        for chunk in _chunks(document_ids):
            existing.update(
                tuple(row)
                for row in connection.execute(
                    select(*key_columns).where(alignments_t.c.document_a_id.in_(chunk))
                )
            )
        fresh = [row for row in ordered if tuple(row[n] for n in ALIGNMENT_KEY) not in existing]
        if fresh:
            connection.execute(insert(alignments_t), fresh)

    def load_alignments(self) -> list[Alignment]:
        """Every stored alignment, document keys as uris, in id order."""
        with self._transaction() as connection:
            v = views.v_alignments.c
            rows = connection.execute(
                select(v.uri_a, v.a_start, v.a_end, v.uri_b, v.b_start, v.b_end, v.similarity)
                .order_by(v.alignment_id)
            )  # fmt: skip
            return [Alignment(*row) for row in rows]

    def alignment_graph(self) -> tuple[dict[str, int], np.ndarray]:
        """Every document's id by uri, and the stored alignments as an ``(n, 2)`` array of
        the document ids they pair: enough to tell which documents a change can reach."""
        a, d = alignments_t.c, documents_t.c
        with self._transaction() as connection:
            id_of = {uri: key for key, uri in connection.execute(select(d.id, d.uri))}
            pairs = connection.execute(select(a.document_a_id, a.document_b_id)).all()
        return id_of, np.array(pairs, dtype=np.int64).reshape(-1, 2)

    def alignment_table(self, document_ids: Collection[int] | None = None) -> AlignmentTable:
        """The stored alignments as arrays (``dedup.records.AlignmentTable``), read straight
        from the table: clustering needs no row objects. ``document_ids``: only the
        alignments whose first document is one of them (None: every alignment)."""
        a, d = alignments_t.c, documents_t.c
        columns_wanted = (
            a.document_a_id, a.a_start, a.a_end, a.document_b_id, a.b_start, a.b_end,
            a.similarity, a.runs,
        )  # fmt: skip
        with self._transaction() as connection:
            # every document's uri in one read (far fewer round trips than by chunks of ids)
            every_uri = {key: uri for key, uri in connection.execute(select(d.id, d.uri))}
            if document_ids is None:
                rows = connection.execute(select(*columns_wanted)).all()
            elif 2 * len(document_ids) > len(every_uri):  # most of them: one read, filtered
                wanted = set(document_ids)
                rows = [row for row in connection.execute(select(*columns_wanted))
                        if row[0] in wanted]  # fmt: skip
            else:
                rows = [
                    row
                    for chunk in _chunks(sorted(document_ids))
                    for row in connection.execute(
                        select(*columns_wanted).where(a.document_a_id.in_(chunk))
                    )
                ]
            runs = [unpack_runs(row[7]) for row in rows]
            values = np.array([tuple(row[:7]) for row in rows], dtype=np.float64).reshape(-1, 7)
            columns = values[:, :6].astype(np.int64)
            ids = np.unique(columns[:, [0, 3]])
        uri_of = {document_id: every_uri[document_id] for document_id in ids.tolist()}
        keys = sorted(uri_of.values())
        number_of = {uri: index for index, uri in enumerate(keys)}
        numbers = np.array(
            [number_of[uri_of[document_id]] for document_id in ids.tolist()], dtype=np.int64
        )
        doc_a = numbers[np.searchsorted(ids, columns[:, 0])]
        doc_b = numbers[np.searchsorted(ids, columns[:, 3])]
        return AlignmentTable(
            keys, doc_a, columns[:, 1], columns[:, 2], doc_b, columns[:, 4], columns[:, 5],
            values[:, 6], runs,
        )

    # -- lineage --------------------------------------------------------------------------------

    def replace_lineage(
        self,
        clusters: list[Cluster],
        origins: list[Origin],
        quotes: list[Quote],
        quote_groups: list[QuoteGroup],
        original_share: dict[str, float],
        wire_credits: dict[str, list[str]],
        attributions: dict[str, list[Attribution]],
        run_id: int | None = None,
        *,
        replacing: Collection[int] | None = None,
        quote_documents: Collection[str] | None = None,
        wording_matches: WordingMatches | None = None,
    ) -> None:
        """Replace the clusters, origins and quotes with these, in one transaction.

        Idempotent: equal inputs leave identical rows, ids included. A new cluster keeps the id
        of the old cluster it shares most occurrences with (same document, overlapping span);
        an origin whose kind, document or source changed gets a row in ``origin_history``.
        ``replacing``: the ids of the stored clusters that ``clusters`` replace (the others are
        left as they are); None: ``clusters`` are the whole lineage.
        ``quote_documents``: the documents whose quotes ``quotes`` are (the others' quotes are
        kept); None: ``quotes`` are all quotes of the corpus (those absent are deleted).
        ``quote_groups`` are always all groups (a stored quote in none of them is in no group).
        ``original_share``, ``wire_credits`` and ``attributions`` update the documents named.
        ``wording_matches``: what the grouping of ``quote_groups`` learnt (replaces the stored;
        None leaves it).
        """
        if len(origins) != len(clusters):
            raise StorageError(f"{len(clusters)} clusters but {len(origins)} origins")
        uris: set[str] = {occ.doc_key for cluster in clusters for occ in cluster.occurrences}
        uris |= {origin.doc_key for origin in origins if origin.doc_key}
        uris |= {quote.doc_key for quote in quotes}
        uris |= {quote.doc_key for group in quote_groups for quote in group.quotes}
        uris |= set(original_share) | set(wire_credits) | set(attributions)
        uris |= set(quote_documents or ())
        with self._transaction() as connection:
            ids = self._document_ids(connection, uris)
            now = _utcnow()
            _LineageWriter(connection, ids, now, run_id).write(clusters, origins, replacing)
            quote_document_ids = (
                None if quote_documents is None else {ids[uri] for uri in quote_documents}
            )
            self._write_quotes(connection, ids, quotes, quote_groups, quote_document_ids)
            if wording_matches is not None:
                self._write_wording_matches(connection, wording_matches)
            self._write_document_facts(connection, ids, original_share, wire_credits)
            self._write_attributions(connection, ids, attributions)

    def lineage_due(self) -> set[str]:
        """Uris of the documents whose lineage facts (attributions, wire credits, quotes,
        original share) were not computed for their current text and boilerplate: new and
        changed documents, those whose boilerplate changed, and the alignment partners of
        those (``original_share`` is NULL)."""
        with self._transaction() as connection:
            rows = connection.execute(
                select(documents_t.c.uri).where(documents_t.c.original_share.is_(None))
            )
            return {uri for (uri,) in rows}

    def stored_clusters(
        self, document_ids: Collection[int] | None = None
    ) -> dict[int, frozenset[tuple[str, int, int]]]:
        """cluster id -> its occurrences as ``(uri, start_char, end_char)``. ``document_ids``:
        only the clusters with an occurrence in one of those documents (None: all)."""
        o, d = occurrences_t.c, documents_t.c
        members: dict[int, set[tuple[str, int, int]]] = defaultdict(set)
        occurrence_rows = select(o.cluster_id, d.uri, o.start_char, o.end_char).join_from(
            occurrences_t, documents_t, o.document_id == d.id
        )
        with self._transaction() as connection:
            if document_ids is None:
                rows = connection.execute(occurrence_rows)
            else:
                wanted: set[int] = set()
                for chunk in _chunks(sorted(document_ids)):
                    wanted.update(
                        connection.execute(
                            select(o.cluster_id).where(o.document_id.in_(chunk)).distinct()
                        ).scalars()
                    )
                rows = [
                    row
                    for chunk in _chunks(sorted(wanted))
                    for row in connection.execute(
                        occurrence_rows.where(o.cluster_id.in_(chunk))
                    )
                ]
            for cluster_id, uri, start, end in rows:
                members[cluster_id].add((uri, start, end))
        return {cluster_id: frozenset(spans) for cluster_id, spans in members.items()}

    def cluster_count(self) -> int:
        """How many clusters are stored."""
        with self._transaction() as connection:
            return int(connection.execute(select(func.count()).select_from(clusters_t)).scalar())

    def publication_dates(self) -> list[tuple[str, datetime | None]]:
        """``(uri, published_at)`` of every document."""
        with self._transaction() as connection:
            rows = connection.execute(select(documents_t.c.uri, documents_t.c.published_at))
            return [(uri, published_at) for uri, published_at in rows]

    def origin_kinds(self) -> dict[str, int]:
        """origin kind -> number of clusters."""
        g = origins_t.c
        with self._transaction() as connection:
            rows = connection.execute(select(g.kind, func.count()).group_by(g.kind))
            return {kind: int(count) for kind, count in rows}

    def document_attributions(self, uris: Iterable[str]) -> dict[str, list[Attribution]]:
        """Stored attributions of these documents, in the order they were found."""
        a = attributions_t.c
        found: dict[str, list[Attribution]] = {}
        with self._transaction() as connection:
            ids = self._document_ids(connection, uris)
            uri_of = {document_id: uri for uri, document_id in ids.items()}
            for chunk in _chunks(sorted(uri_of)):
                rows = connection.execute(
                    select(
                        a.document_id, a.source, a.phrase, a.cue, a.start_char, a.end_char,
                        a.scope_start, a.scope_end,
                    ).where(a.document_id.in_(chunk)).order_by(a.id)
                )  # fmt: skip
                for document_id, *values in rows:
                    found.setdefault(uri_of[document_id], []).append(Attribution(*values))
        return {uri: found.get(uri, []) for uri in ids}

    def credits(self, uri: str | None = None) -> list[Any]:
        """``v_credits`` rows (of one document if ``uri`` is given), by document and position."""
        v = views.v_credits.c
        statement = select(views.v_credits).order_by(v.uri, v.start_char, v.credit_id)
        if uri is not None:
            statement = statement.where(v.uri == uri)
        return self._view_rows(statement)

    def stored_quotes(self, exclude: Collection[str] = ()) -> list[Quote]:
        """Stored quotes (but those of ``exclude``), by uri then position."""
        q, d = quotes_t.c, documents_t.c
        excluded = set(exclude)
        with self._transaction() as connection:
            rows = connection.execute(
                select(d.uri, q.start_char, q.end_char, q.text, q.speaker)
                .join_from(quotes_t, documents_t, q.document_id == d.id)
                .order_by(d.uri, q.start_char, q.end_char)
            )
            return [Quote(*row) for row in rows if row[0] not in excluded]

    def wording_matches(self) -> WordingMatches:
        """What the last quote grouping learnt (``dedup.records.WordingMatches``): the wordings
        it compared and the pairs of them it found to be one quotation."""
        w, m = wordings_t.c, wording_matches_t.c
        with self._transaction() as connection:
            rows = connection.execute(select(w.wording_key, w.wording, w.signature)).all()
            pairs = [(a, b) for a, b in connection.execute(select(m.wording_a, m.wording_b))]
        signatures = {signature for _, _, signature in rows}
        if len(signatures) != 1:  # nothing stored (or rows of two settings: use neither)
            return WordingMatches()
        wording_of = {key: wording for key, wording, _ in rows}
        matches = {
            (wording_of[key_a], wording_of[key_b])
            for key_a, key_b in pairs
            if key_a in wording_of and key_b in wording_of
        }
        return WordingMatches(set(wording_of.values()), matches, signatures.pop())

    @staticmethod
    def _write_wording_matches(connection: Connection, learnt: WordingMatches) -> None:
        """Make the stored wordings and matches ``learnt``'s (rows added and removed only)."""
        w, m = wordings_t.c, wording_matches_t.c
        key_of = {wording: wording_key(wording) for wording in learnt.wordings}
        holders = Counter(key_of.values())
        # a shared key (a digest collision) is stored for neither wording: both are new again
        wanted = {key: wording for wording, key in key_of.items() if holders[key] == 1}
        stored_signature = dict(connection.execute(select(w.wording_key, w.signature)).all())
        if any(signature != learnt.signature for signature in stored_signature.values()):
            # learnt under other settings: nothing of it is kept
            connection.execute(delete(wording_matches_t))
            connection.execute(delete(wordings_t))
            stored_signature = {}
        stored = set(stored_signature)
        Store._delete_ids(connection, wordings_t, w.wording_key, stored - wanted.keys())
        added = [
            {"wording_key": key, "wording": wanted[key], "signature": learnt.signature}
            for key in sorted(wanted.keys() - stored)
        ]
        if added:
            connection.execute(insert(wordings_t), added)
        wanted_pairs = {
            (key_of[a], key_of[b])
            for a, b in learnt.matches
            if key_of[a] in wanted and key_of[b] in wanted
        }
        stored_pairs = {(a, b) for a, b in connection.execute(select(m.wording_a, m.wording_b))}
        gone = [{"a": a, "b": b} for a, b in sorted(stored_pairs - wanted_pairs)]
        if gone:
            connection.execute(
                delete(wording_matches_t).where(
                    m.wording_a == bindparam("a"), m.wording_b == bindparam("b")
                ),
                gone,
            )
        new_pairs = [
            {"wording_a": a, "wording_b": b} for a, b in sorted(wanted_pairs - stored_pairs)
        ]
        if new_pairs:
            connection.execute(insert(wording_matches_t), new_pairs)

    def stored_quote_edits(self) -> dict[tuple[str, str], str]:
        """``classify_edit`` answers the stored groups hold: (reference text, variant text) ->
        edit kind, for every stored quote compared with another."""
        q = quotes_t.c
        reference = quotes_t.alias("reference")
        with self._transaction() as connection:
            rows = connection.execute(
                select(reference.c.text, q.text, q.edit_kind)
                .join_from(quotes_t, reference, q.variant_of == reference.c.id)
                .where(q.edit_kind.is_not(None))
            )
            return {(reference_text, text): kind for reference_text, text, kind in rows}

    def _write_quotes(
        self,
        connection: Connection,
        ids: dict[str, int],
        quotes: list[Quote],
        quote_groups: list[QuoteGroup],
        document_ids: set[int] | None = None,
    ) -> None:
        def key_of(quote: Quote) -> tuple[int, int, int]:
            return (ids[quote.doc_key], quote.start_char, quote.end_char)

        wanted: dict[tuple[int, int, int], Quote] = {}
        for quote in [*quotes, *(q for group in quote_groups for q in group.quotes)]:
            wanted.setdefault(key_of(quote), quote)
        q = quotes_t.c
        old = {
            (row.document_id, row.start_char, row.end_char): row
            for row in connection.execute(
                select(
                    q.id, q.document_id, q.start_char, q.end_char, q.text, q.speaker,
                    q.quote_cluster_id, q.variant_of, q.edit_kind,
                )
            )
        }  # fmt: skip
        stale = [
            key
            for key, row in old.items()
            if key not in wanted and (document_ids is None or row.document_id in document_ids)
        ]
        self._delete_ids(connection, quotes_t, q.id, (old.pop(key).id for key in stale))
        quote_ids: dict[tuple[int, int, int], int] = {}
        current_fields: dict[int, tuple[Any, Any, Any]] = {}
        for key, row in old.items():  # kept quotes of other documents: their group may change
            if key not in wanted:
                quote_ids[key] = row.id
                current_fields[row.id] = (row.quote_cluster_id, row.variant_of, row.edit_kind)
        changed_text: list[dict[str, Any]] = []
        new_keys: list[tuple[int, int, int]] = []
        for key in sorted(wanted):
            quote = wanted[key]
            text, speaker = _db_text(quote.text), _db_optional_text(quote.speaker)
            row = old.get(key)
            if row is None:
                new_keys.append(key)
                continue
            quote_ids[key] = row.id
            current_fields[row.id] = (row.quote_cluster_id, row.variant_of, row.edit_kind)
            if (row.text, row.speaker) != (text, speaker):
                changed_text.append({"quote_id": row.id, "new_text": text, "new_speaker": speaker})
        if changed_text:
            connection.execute(
                update(quotes_t)
                .where(q.id == bindparam("quote_id"))
                .values(text=bindparam("new_text"), speaker=bindparam("new_speaker")),
                changed_text,
            )
        new_rows = [
            {
                "document_id": key[0],
                "start_char": key[1],
                "end_char": key[2],
                "text": _db_text(wanted[key].text),
                "speaker": _db_optional_text(wanted[key].speaker),
            }
            for key in new_keys
        ]
        for key, quote_id in zip(
            new_keys, self._insert_returning_ids(connection, quotes_t, new_rows), strict=True
        ):
            quote_ids[key] = quote_id
            current_fields[quote_id] = (None, None, None)
        # Group fields: cluster id = smallest member id (deterministic, stable while it lives).
        wanted_fields: dict[int, tuple[Any, Any, Any]] = {}
        for group in quote_groups:
            if len(group.quotes) < 2:
                continue
            member_ids = [quote_ids[key_of(quote)] for quote in group.quotes]
            quote_cluster_id = min(member_ids)
            for index, member_id in enumerate(member_ids):
                variant_index = group.variant_of[index] if index < len(group.variant_of) else None
                variant_id = member_ids[variant_index] if variant_index is not None else None
                if variant_id == member_id:
                    variant_id = None
                edit_kind = group.edit_kinds[index] if index < len(group.edit_kinds) else None
                wanted_fields.setdefault(member_id, (quote_cluster_id, variant_id, edit_kind))
        updates = [
            {"quote_id": quote_id, "cluster": fields[0], "variant": fields[1], "edit": fields[2]}
            for quote_id in sorted(current_fields)
            if (fields := wanted_fields.get(quote_id, (None, None, None)))
            != current_fields[quote_id]
        ]
        if updates:
            connection.execute(
                update(quotes_t)
                .where(q.id == bindparam("quote_id"))
                .values(
                    quote_cluster_id=bindparam("cluster"),
                    variant_of=bindparam("variant"),
                    edit_kind=bindparam("edit"),
                ),
                updates,
            )

    @staticmethod
    def _write_document_facts(
        connection: Connection,
        ids: dict[str, int],
        original_share: dict[str, float],
        wire_credits: dict[str, list[str]],
    ) -> None:
        named = sorted({ids[uri] for uri in [*original_share, *wire_credits]})
        current: dict[int, tuple[float | None, str | None]] = {}
        for chunk in _chunks(named):
            rows = connection.execute(
                select(
                    documents_t.c.id, documents_t.c.original_share, documents_t.c.wire_credits
                ).where(documents_t.c.id.in_(chunk))
            )
            current.update({row.id: (row.original_share, row.wire_credits) for row in rows})
        updates = []
        for uri, document_id in ids.items():
            if document_id not in current:
                continue
            share, credits = current[document_id]
            if uri in original_share:
                share = float(original_share[uri])
            if uri in wire_credits:
                credits = _join_credits(wire_credits[uri])
            if (share, credits) != current[document_id]:
                updates.append({"doc_id": document_id, "share": share, "credits": credits})
        if updates:
            connection.execute(
                update(documents_t)
                .where(documents_t.c.id == bindparam("doc_id"))
                .values(original_share=bindparam("share"), wire_credits=bindparam("credits")),
                updates,
            )

    def _write_attributions(
        self,
        connection: Connection,
        ids: dict[str, int],
        attributions: dict[str, list[Attribution]],
    ) -> None:
        a = attributions_t.c
        fields = (a.source, a.phrase, a.cue, a.start_char, a.end_char, a.scope_start, a.scope_end)
        named = sorted({ids[uri] for uri in attributions})
        current: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for chunk in _chunks(named):
            for row in connection.execute(
                select(a.document_id, *fields).where(a.document_id.in_(chunk)).order_by(a.id)
            ):
                current[row[0]].append(tuple(row[1:]))
        changed: list[int] = []
        new_rows: list[dict[str, Any]] = []
        for uri, found in sorted(attributions.items()):
            document_id = ids[uri]
            # In the order found: origin evidence lists credits in that order.
            wanted = list(
                dict.fromkeys(
                    (
                        _db_text(x.source), _db_text(x.phrase), x.cue, x.start_char, x.end_char,
                        x.scope_start, x.scope_end,
                    )
                    for x in found
                )
            )  # fmt: skip
            if current.get(document_id, []) == wanted:
                continue
            changed.append(document_id)
            new_rows.extend(
                {
                    "document_id": document_id,
                    **dict(zip([f.name for f in fields], values, strict=True)),
                    "kind": credit_kind(values[2]),
                }
                for values in wanted
            )
        self._delete_ids(connection, attributions_t, a.document_id, changed)
        if new_rows:
            connection.execute(insert(attributions_t), new_rows)

    # -- reads (the contract's views) -----------------------------------------------------------

    def _view_rows(self, statement: Any) -> list[Any]:
        with self._transaction() as connection:
            return list(connection.execute(statement))

    def documents(self) -> list[DocumentRow]:
        v = views.v_documents
        return [DocumentRow(*row) for row in self._view_rows(select(v).order_by(v.c.uri))]

    def document(self, ref: str | int) -> DocumentRow | None:
        """A document by uri, id, or else (for ``wiretrace show DOC``) a unique uri suffix
        (``seeds/001.txt``), basename without extension (``001``) or basename prefix.

        None if nothing matches; StorageError naming the candidates if several do.
        """
        v = views.v_documents
        if isinstance(ref, int):
            rows = self._view_rows(select(v).where(v.c.document_id == ref))
            return DocumentRow(*rows[0]) if rows else None
        rows = self._view_rows(select(v).where(v.c.uri == ref))
        if not rows and ref.isdigit() and str(int(ref)) == ref:
            rows = self._view_rows(select(v).where(v.c.document_id == int(ref)))
        if rows:
            return DocumentRow(*rows[0])
        if not ref:
            return None
        candidates = self._view_rows(
            select(v).where(v.c.uri.contains(ref, autoescape=True)).order_by(v.c.uri)
        )

        def basename(uri: str) -> str:
            return re.split(r"[/\\]", uri)[-1]

        # From the most to the least specific reading of ref; the first non-empty one decides.
        for matches in (
            [row for row in candidates if row.uri.endswith("/" + ref)],
            [row for row in candidates if row.uri.endswith(ref)],
            [row for row in candidates if basename(row.uri).startswith(ref + ".")],
            [row for row in candidates if basename(row.uri).startswith(ref)],
        ):
            if len(matches) == 1:
                return DocumentRow(*matches[0])
            if matches:
                names = ", ".join(row.uri for row in matches[:5])
                more = ", ..." if len(matches) > 5 else ""
                raise StorageError(f"{ref!r} matches {len(matches)} documents: {names}{more}")
        return None

    def boilerplate(self, uri: str | None = None) -> list[BoilerplateRow]:
        v = views.v_boilerplate
        statement = select(v).order_by(v.c.uri, v.c.start_char, v.c.end_char)
        if uri is not None:
            statement = statement.where(v.c.uri == uri)
        return [BoilerplateRow(*row) for row in self._view_rows(statement)]

    def alignments(self, uri: str | None = None) -> list[AlignmentRow]:
        """Alignments (those involving ``uri`` on either side when given)."""
        v = views.v_alignments
        statement = select(v).order_by(
            v.c.uri_a, v.c.a_start, v.c.uri_b, v.c.b_start, v.c.alignment_id
        )
        if uri is not None:
            statement = statement.where(or_(v.c.uri_a == uri, v.c.uri_b == uri))
        return [AlignmentRow(*row) for row in self._view_rows(statement)]

    def lineage(self, uri: str | None = None) -> list[LineageRow]:
        """Occurrences by cluster; with ``uri``, that document's occurrences in text order."""
        v = views.v_lineage
        if uri is None:
            order = (v.c.cluster_id, v.c.uri, v.c.start_char, v.c.occurrence_id)
            statement = select(v).order_by(*order)
        else:
            order = (v.c.start_char, v.c.end_char, v.c.cluster_id, v.c.occurrence_id)
            statement = select(v).where(v.c.uri == uri).order_by(*order)
        return [LineageRow(*row) for row in self._view_rows(statement)]

    def clusters(self) -> list[ClusterRow]:
        v = views.v_clusters
        return [ClusterRow(*row) for row in self._view_rows(select(v).order_by(v.c.cluster_id))]

    def quotes(self, uri: str | None = None) -> list[QuoteRow]:
        v = views.v_quotes
        statement = select(v).order_by(v.c.uri, v.c.start_char, v.c.end_char, v.c.quote_id)
        if uri is not None:
            statement = statement.where(v.c.uri == uri)
        return [QuoteRow(*row) for row in self._view_rows(statement)]

    def runs(self) -> list[dict]:
        """Runs, oldest first: run_id, started_at, finished_at, status, parameters, versions,
        counts."""
        r = runs_t.c
        statement = select(
            r.id.label("run_id"), r.started_at, r.finished_at, r.status, r.parameters,
            r.versions, r.counts,
        ).order_by(r.id)  # fmt: skip
        return [dict(row._mapping) for row in self._view_rows(statement)]

    def skipped(self, run_id: int | None = None) -> list[dict]:
        """Skipped files (of one run when given): run_id, uri, reason."""
        s = skipped_t.c
        statement = select(s.run_id, s.uri, s.reason).order_by(s.run_id, s.id)
        if run_id is not None:
            statement = statement.where(s.run_id == run_id)
        return [dict(row._mapping) for row in self._view_rows(statement)]

    def origin_history(self, cluster_id: int | None = None) -> list[dict]:
        """Origin changes, oldest first (of one cluster when given)."""
        h = history_t.c
        statement = select(
            h.id.label("history_id"), h.cluster_id, h.changed_at, h.run_id, h.old_kind, h.old_uri,
            h.old_source, h.old_confidence, h.new_kind, h.new_uri, h.new_source,
            h.new_confidence, h.evidence,
        ).order_by(h.id)  # fmt: skip
        if cluster_id is not None:
            statement = statement.where(h.cluster_id == cluster_id)
        return [dict(row._mapping) for row in self._view_rows(statement)]


ALIGNMENT_KEY = ("document_a_id", "document_b_id", "a_start", "a_end", "b_start", "b_end")


def _alignment_row(alignment: Alignment) -> dict[str, Any]:
    """The ``alignments`` row of an alignment whose document keys are ids (as strings), in
    canonical order (lower id first)."""
    if int(alignment.doc_a) > int(alignment.doc_b):
        alignment = alignment.swapped()
    return {
        "document_a_id": int(alignment.doc_a),
        "document_b_id": int(alignment.doc_b),
        "a_start": alignment.a_start,
        "a_end": alignment.a_end,
        "b_start": alignment.b_start,
        "b_end": alignment.b_end,
        "similarity": float(alignment.similarity),
        "runs": pack_runs(alignment.blocks),
    }


def pack_runs(blocks: tuple[int, ...]) -> bytes | None:
    """An alignment's shared runs as stored (int32 little-endian); None when unknown.

    >>> unpack_runs(pack_runs((0, 5, 10, 15, 1))).tolist()
    [[0, 5, 10, 15, 1]]
    """
    if not blocks:
        return None
    return np.asarray(blocks, dtype="<i4").tobytes()


def unpack_runs(packed: bytes | None) -> np.ndarray:
    """``pack_runs`` read back: an int64 array of (a_start, a_end, b_start, b_end, words) rows."""
    if not packed:
        return np.zeros((0, 5), dtype=np.int64)
    return np.frombuffer(packed, dtype="<i4").astype(np.int64).reshape(-1, 5)


Member = tuple[int, int, int]  # (document_id, start_char, end_char) of an occurrence


class _LineageWriter:
    """Writes clusters, occurrences, origins and origin history with stable ids."""

    def __init__(
        self, connection: Connection, ids: dict[str, int], now: datetime, run_id: int | None
    ) -> None:
        self.connection = connection
        self.ids = ids
        self.uris = {document_id: uri for uri, document_id in ids.items()}
        self.now = now
        self.run_id = run_id

    def write(
        self, clusters: list[Cluster], origins: list[Origin], replacing: Collection[int] | None
    ) -> None:
        """Store ``clusters`` in place of the stored clusters ``replacing`` (None: all)."""
        members = [self._members(index, cluster) for index, cluster in enumerate(clusters)]
        o = occurrences_t.c
        columns = (
            o.id, o.cluster_id, o.document_id, o.start_char, o.end_char, o.is_origin,
            o.parent_occurrence_id,
        )  # fmt: skip
        if replacing is None:
            old_rows = list(self.connection.execute(select(*columns)))
            old_cluster_ids = {cid for (cid,) in self.connection.execute(select(clusters_t.c.id))}
        else:
            old_rows, old_cluster_ids = [], set()
            for chunk in _chunks(sorted(set(replacing))):
                old_rows += self.connection.execute(select(*columns).where(o.cluster_id.in_(chunk)))
                old_cluster_ids.update(
                    cid
                    for (cid,) in self.connection.execute(
                        select(clusters_t.c.id).where(clusters_t.c.id.in_(chunk))
                    )
                )
        matched = self._match(members, old_rows)
        kept = set(matched.values())
        Store._delete_ids(self.connection, clusters_t, clusters_t.c.id, old_cluster_ids - kept)
        unmatched = [index for index in range(len(members)) if index not in matched]
        new_ids = Store._insert_returning_ids(
            self.connection,
            clusters_t,
            [{"created_at": self.now, "run_id": self.run_id} for _ in unmatched],
        )
        cluster_ids = dict(matched) | dict(zip(unmatched, new_ids, strict=True))
        occurrence_ids = self._write_occurrences(members, origins, cluster_ids, old_rows, kept)
        self._write_origins(members, origins, cluster_ids, occurrence_ids, kept)

    def _members(self, index: int, cluster: Cluster) -> list[Member]:
        members = [
            (self.ids[occ.doc_key], occ.start_char, occ.end_char) for occ in cluster.occurrences
        ]
        if len(set(members)) != len(members):
            duplicate = next(member for member, n in Counter(members).items() if n > 1)
            raise StorageError(
                f"cluster {index} has the occurrence {duplicate[1]}-{duplicate[2]} of "
                f"{self.uris[duplicate[0]]!r} twice"
            )
        return members

    @staticmethod
    def _match(members: list[list[Member]], old_rows: list[Any]) -> dict[int, int]:
        """new cluster index -> old cluster id, greedily by most shared occurrences."""
        old_by_document: dict[int, list[Any]] = defaultdict(list)
        for row in old_rows:
            old_by_document[row.document_id].append(row)
        votes: Counter[tuple[int, int]] = Counter()
        for index, cluster_members in enumerate(members):
            for document_id, start, end in cluster_members:
                for row in old_by_document.get(document_id, ()):
                    if row.start_char < end and start < row.end_char:
                        votes[(index, row.cluster_id)] += 1
        matched: dict[int, int] = {}
        taken: set[int] = set()
        # Most shared first; ties to the older cluster, then the earlier new cluster.
        for (index, old_id), _count in sorted(
            votes.items(), key=lambda item: (-item[1], item[0][1], item[0][0])
        ):
            if index not in matched and old_id not in taken:
                matched[index] = old_id
                taken.add(old_id)
        return matched

    def _write_occurrences(
        self,
        members: list[list[Member]],
        origins: list[Origin],
        cluster_ids: dict[int, int],
        old_rows: list[Any],
        kept: set[int],
    ) -> list[list[int]]:
        o = occurrences_t.c
        old_by_key = {
            (row.cluster_id, row.document_id, row.start_char, row.end_char): row
            for row in old_rows
            if row.cluster_id in kept
        }
        occurrence_ids: list[list[int | None]] = []
        current: dict[int, tuple[bool, int | None]] = {}
        reused: set[int] = set()
        to_insert: list[tuple[int, int, dict[str, Any]]] = []
        for index, cluster_members in enumerate(members):
            cluster_id = cluster_ids[index]
            origin_index = origins[index].origin_index
            ids_here: list[int | None] = []
            for position, (document_id, start, end) in enumerate(cluster_members):
                row = old_by_key.get((cluster_id, document_id, start, end))
                if row is not None:
                    ids_here.append(row.id)
                    reused.add(row.id)
                    current[row.id] = (bool(row.is_origin), row.parent_occurrence_id)
                    continue
                ids_here.append(None)
                to_insert.append(
                    (
                        index,
                        position,
                        {
                            "cluster_id": cluster_id,
                            "document_id": document_id,
                            "start_char": start,
                            "end_char": end,
                            "is_origin": position == origin_index,
                            "parent_occurrence_id": None,
                        },
                    )
                )
            occurrence_ids.append(ids_here)
        # Delete before inserting: a moved span keeps (cluster, document) unique.
        stale = [row.id for row in old_by_key.values() if row.id not in reused]
        Store._delete_ids(self.connection, occurrences_t, o.id, stale)
        inserted = Store._insert_returning_ids(
            self.connection, occurrences_t, [row for _, _, row in to_insert]
        )
        for (index, position, row), occurrence_id in zip(to_insert, inserted, strict=True):
            occurrence_ids[index][position] = occurrence_id
            current[occurrence_id] = (bool(row["is_origin"]), None)
        final_ids: list[list[int]] = [
            [int(i) for i in ids if i is not None] for ids in occurrence_ids
        ]
        updates = []
        for index, ids_here in enumerate(final_ids):
            origin = origins[index]
            for position, occurrence_id in enumerate(ids_here):
                parent_position = origin.parents.get(position)
                parent_id = None
                if parent_position is not None and parent_position != position:
                    if not 0 <= parent_position < len(ids_here):
                        raise StorageError(
                            f"cluster {index}: parent index {parent_position} out of range"
                        )
                    parent_id = ids_here[parent_position]
                wanted = (position == origin.origin_index, parent_id)
                if wanted != current[occurrence_id]:
                    updates.append(
                        {"occ_id": occurrence_id, "origin": wanted[0], "parent": wanted[1]}
                    )
        if updates:
            self.connection.execute(
                update(occurrences_t)
                .where(o.id == bindparam("occ_id"))
                .values(is_origin=bindparam("origin"), parent_occurrence_id=bindparam("parent")),
                updates,
            )
        return final_ids

    def _write_origins(
        self,
        members: list[list[Member]],
        origins: list[Origin],
        cluster_ids: dict[int, int],
        occurrence_ids: list[list[int]],
        kept: set[int],
    ) -> None:
        g = origins_t.c
        old = {}
        for chunk in _chunks(sorted(kept)):  # only kept clusters can have an origin row
            old.update(
                (row.cluster_id, row)
                for row in self.connection.execute(
                    select(
                        g.cluster_id, g.kind, g.origin_document_id, g.source, g.confidence,
                        g.evidence,
                    ).where(g.cluster_id.in_(chunk))
                )
            )  # fmt: skip
        old_uris = self._uris_of({row.origin_document_id for row in old.values()})
        inserts, updates, history = [], [], []
        for index, origin in enumerate(origins):
            cluster_id = cluster_ids[index]
            document_id = self._origin_document(origin, members[index])
            wanted = {
                "kind": origin.kind,
                "origin_document_id": document_id,
                "source": origin.source,
                "confidence": float(origin.confidence),
                "evidence": _db_text(origin.evidence),
            }
            row = old.get(cluster_id)
            if row is None:
                inserts.append({"cluster_id": cluster_id, **wanted})
            elif tuple(row[1:]) != tuple(wanted.values()):
                updates.append({"cid": cluster_id, **{f"w_{k}": v for k, v in wanted.items()}})
            identity = (origin.kind, document_id, origin.source)
            if row is None or (row.kind, row.origin_document_id, row.source) != identity:
                history.append(
                    {
                        "cluster_id": cluster_id,
                        "changed_at": self.now,
                        "run_id": self.run_id,
                        "old_kind": row.kind if row else None,
                        "old_uri": old_uris.get(row.origin_document_id) if row else None,
                        "old_source": row.source if row else None,
                        "old_confidence": row.confidence if row else None,
                        "new_kind": origin.kind,
                        "new_uri": self.uris.get(document_id) if document_id else None,
                        "new_source": origin.source,
                        "new_confidence": float(origin.confidence),
                        "evidence": wanted["evidence"],
                    }
                )
        if inserts:
            self.connection.execute(insert(origins_t), inserts)
        if updates:
            self.connection.execute(
                update(origins_t)
                .where(g.cluster_id == bindparam("cid"))
                .values({name: bindparam(f"w_{name}") for name in ORIGIN_FIELDS}),
                updates,
            )
        if history:
            self.connection.execute(insert(history_t), history)

    def _origin_document(self, origin: Origin, members: list[Member]) -> int | None:
        if origin.doc_key:
            return self.ids[origin.doc_key]
        if origin.kind == "document" and origin.origin_index is not None:
            return members[origin.origin_index][0]
        return None

    def _uris_of(self, document_ids: set[int | None]) -> dict[int, str]:
        wanted = sorted(i for i in document_ids if i is not None)
        found = {i: self.uris[i] for i in wanted if i in self.uris}
        missing = [i for i in wanted if i not in found]
        for chunk in _chunks(missing):
            rows = self.connection.execute(
                select(documents_t.c.id, documents_t.c.uri).where(documents_t.c.id.in_(chunk))
            )
            found.update({document_id: uri for document_id, uri in rows})
        return found


DOCUMENT_FIELDS = (
    "content_hash", "source_format", "text", "clean_text", "title", "outlet", "author",
    "published_at", "wire_credits", "cleaning_wire_credits", "original_share", "pending",
    "text_hash",
)  # fmt: skip
ORIGIN_FIELDS = ("kind", "origin_document_id", "source", "confidence", "evidence")
