"""The archive's writer: a process of its own that applies batches of writes, each batch in one
transaction, while the crawl's reactor thread goes on downloading and parsing on the other core.

A process, not a thread: SQLite, zlib and hashing release the GIL, but a writer thread hands the
GIL back and forth with the reactor thread at every statement, and measured on a full crawl that
cost the reactor thread as much as the writes it no longer made (README, Performance). Batches go
to the process as pickles on its stdin, results come back on its stdout, each way through a thread
of the crawl process, so neither a full pipe nor a slow disk ever blocks the reactor.

The process knows the archive only through ``Archive``'s public methods, and what to write comes as
``Write`` values: it knows nothing of Scrapy or of items. A batch whose transaction fails is rolled
back whole; every batch after it is answered ``skipped``, unwritten. The process dies with the
crawl (``kill -9`` of the crawl kills it at once, its open transaction rolled back by SQLite) and
ignores SIGINT and SIGTERM: the crawl decides when writing ends, after its last batch.
"""

from __future__ import annotations

import contextlib
import pickle
import queue
import sqlite3
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from ilo_crawler.archive.store import Archive, ArchiveError
from ilo_crawler.childprocess import become_helper, start_helper

WriteKind = Literal["article", "sighting", "capture", "failure", "completeness"]
#: One thing to write: an article (with its capture), a sighting, a capture of a listing page,
#: a page that still failed after retries, or how complete a month read from a web archive is
#: (after its items, in the same order), as the fields ``Archive`` takes.
Write = tuple[WriteKind, Mapping[str, Any]]
#: Fields whose share among a run's articles is watched (``runs.field_coverage``): a sharp drop
#: means pages that still answer but no longer carry what they did. Counted here, off the
#: reactor thread, for the articles whose page was read.
COVERAGE_FIELDS = ("label", "summary", "credit", "body")


@dataclass(frozen=True)
class BatchResult:
    """What became of a batch: each write's outcome (``new``, ``changed``, ``unchanged``, or
    empty for what is not an article); or ``error``, the one-line cause that rolled it back (with
    the ``trace`` of an error that is not the archive's own); or ``skipped``: not attempted, an
    earlier batch failed."""

    size: int
    outcomes: tuple[str, ...] = ()
    #: articles the batch's evidence joined into one or parted, and joins it left undecided
    groups_joined: int = 0
    groups_parted: int = 0
    identity_conflicts: int = 0
    #: articles whose page was read (no fetch error), and how many of them carry each of
    #: ``COVERAGE_FIELDS``
    fetched: int = 0
    filled: tuple[int, ...] = ()
    error: str | None = None
    trace: str | None = None
    skipped: bool = False

    @property
    def written(self) -> bool:
        return self.error is None and not self.skipped


class ArchiveWriter:
    """The crawl's side of the writer process: ``submit`` queues a batch (never blocking),
    ``report`` is called (in a thread of its own, in order) with each batch's ``BatchResult``;
    ``close`` lets the process write every batch submitted, close the archive and end, which
    ``join`` waits for. A process that ends before answering every batch (killed, crashed) has
    the rest answered as failed."""

    def __init__(self, path: str | Path, report: Callable[[BatchResult], None]) -> None:
        self.path = path
        self.report = report
        self._outbox: queue.SimpleQueue[tuple[Sequence[Write], int | None] | None] = (
            queue.SimpleQueue()
        )
        self._sizes: queue.SimpleQueue[int] = queue.SimpleQueue()  # batches not yet answered
        self._gone = False  # the process has ended: a batch submitted now is answered at once
        self._answering = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._process = start_helper("ilo_crawler.archive.writer", str(self.path))
        for target in (self._send, self._receive):
            thread = threading.Thread(target=target, name=f"archive-writer-{target.__name__}")
            thread.daemon = True
            thread.start()
            self._threads.append(thread)

    def submit(self, batch: Sequence[Write], run_id: int | None) -> None:
        with self._answering:
            if self._gone:
                self.report(BatchResult(len(batch), skipped=True))
                return
            self._sizes.put(len(batch))
        self._outbox.put((batch, run_id))

    def close(self) -> None:
        """No more batches: the process ends once the ones submitted are written."""
        self._outbox.put(None)

    def join(self) -> None:
        for thread in self._threads:
            thread.join()
        if self._process is not None:
            self._process.wait()

    def _send(self) -> None:
        assert self._process is not None and self._process.stdin is not None
        stdin = self._process.stdin
        with contextlib.suppress(BrokenPipeError):  # the process is gone: _receive says so
            while (task := self._outbox.get()) is not None:
                pickle.dump(task, stdin, protocol=pickle.HIGHEST_PROTOCOL)
                stdin.flush()
        with contextlib.suppress(BrokenPipeError):
            stdin.close()

    def _receive(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        while True:
            try:
                result: BatchResult = pickle.load(stdout)
            except EOFError:  # the process has ended
                break
            except Exception:  # not a result: nothing it says can be trusted any more
                self._process.kill()
                break
            self._sizes.get()
            self.report(result)
        status = self._process.wait()
        cause = f"its writer process ended before writing a batch (exit status {status})"
        with self._answering:
            self._gone = True
            first = True
            while not self._sizes.empty():  # batches the process never answered
                size = self._sizes.get()
                self.report(BatchResult(size, error=cause if first else None, skipped=not first))
                first = False


def serve(path: str, batches: IO[bytes], results: IO[bytes]) -> None:
    """The writer process's loop: each batch from ``batches`` written, its result on ``results``;
    until ``batches`` ends (the crawl closed it, or died)."""
    archive: Archive | None = None
    unreported: BatchResult | None = None  # why the writer stopped, said with the next batch
    try:
        archive = Archive(path)
    except (sqlite3.Error, ArchiveError) as error:
        unreported = BatchResult(0, error=str(error))
    stopped = archive is None
    try:
        while True:
            try:
                batch, run_id = pickle.load(batches)
            except EOFError:
                break
            if stopped:
                failed = unreported or BatchResult(0, skipped=True)
                result = BatchResult(len(batch), error=failed.error, skipped=failed.skipped)
                unreported = None
            else:
                assert archive is not None
                result = write_batch(archive, batch, run_id)
                stopped = not result.written
            pickle.dump(result, results, protocol=pickle.HIGHEST_PROTOCOL)
            results.flush()
    finally:
        if archive is not None:
            archive.close()


def write_batch(archive: Archive, batch: Sequence[Write], run_id: int | None) -> BatchResult:
    """Apply a batch in one transaction; any error rolls all of it back and is returned."""
    before = archive.groups_joined, archive.groups_parted, archive.identity_conflicts
    try:
        with archive.transaction():
            outcomes = tuple(apply_write(archive, kind, fields, run_id) for kind, fields in batch)
    except (sqlite3.Error, ArchiveError, OSError) as error:
        return BatchResult(len(batch), error=str(error))
    except Exception as error:  # a fault of ours: reported with its traceback, never lost here
        return BatchResult(
            len(batch), error=f"{type(error).__name__}: {error}", trace=traceback.format_exc()
        )
    read = [f for kind, f in batch if kind == "article" and f.get("fetch_error") is None]
    return BatchResult(
        len(batch),
        outcomes,
        archive.groups_joined - before[0],
        archive.groups_parted - before[1],
        archive.identity_conflicts - before[2],
        fetched=len(read),
        filled=tuple(sum(bool(f.get(name)) for f in read) for name in COVERAGE_FIELDS)
        if read
        else (),
    )


def apply_write(
    archive: Archive, kind: WriteKind, fields: Mapping[str, Any], run_id: int | None
) -> str:
    """One write; the outcome it counts as (empty: not an article)."""
    if kind == "capture":
        archive.add_capture(fields, run_id)
        archive.resolve_failure(fields["url"])
        return ""
    if kind == "failure":
        archive.record_failure(fields["url"], fields["kind"], fields["error"], run_id)
        return ""
    if kind == "sighting":
        return archive.store_sighting(fields, run_id)
    if kind == "completeness":
        if run_id is not None:
            archive.record_completeness(run_id, fields)
        return ""
    return archive.store_article(fields, run_id)


def main(argv: list[str]) -> None:
    path, parent = argv
    results = become_helper(int(parent))
    serve(path, sys.stdin.buffer, results)


if __name__ == "__main__":
    # Through the module's own name, so that results pickle as ``ilo_crawler.archive.writer``'s.
    from ilo_crawler.archive import writer

    writer.main(sys.argv[1:])
