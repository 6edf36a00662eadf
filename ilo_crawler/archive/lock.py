"""One writer at a time: an advisory lock beside the archive, held for the whole crawl.

``flock`` locks belong to the process: when a crawl dies, even by ``kill -9``, the system releases
its lock, so a crashed run never blocks the next one. The lock file itself may stay; it only
records who held the lock last.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from pathlib import Path
from typing import IO

from ilo_crawler.archive.store import ArchiveError


class ArchiveLocked(Exception):
    """Another process holds the archive's lock; the message names it."""


class ArchiveLock:
    def __init__(self, archive_path: str | Path) -> None:
        self.path = Path(f"{archive_path}.lock")
        self._file: IO[str] | None = None

    def acquire(self) -> ArchiveLock:
        """Take the lock, or raise ArchiveLocked naming its holder (ArchiveError: no lock file can
        be made there)."""
        try:
            handle = self.path.open("a+", encoding="utf-8")
        except OSError as error:
            raise ArchiveError(
                f"cannot create the archive {str(self.path)[:-5]}: its lock file {self.path} "
                f"cannot be made ({error.strerror})"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise ArchiveLocked(
                f"another crawl is writing {str(self.path)[:-5]} ({holder}); try again when it ends"
            ) from None
        handle.seek(0)
        handle.truncate()
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        handle.write(f"pid {os.getpid()} since {now}")
        handle.flush()
        self._file = handle
        return self

    @staticmethod
    def is_held(archive_path: str | Path) -> bool:
        """Does a process hold the lock of this archive now? Read-only: no lock file is made."""
        lock_file = Path(f"{archive_path}.lock")
        if not lock_file.exists():
            return False  # every crawl makes the file: none ever ran, none runs
        with lock_file.open(encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()
