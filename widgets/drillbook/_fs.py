"""Careful file access for names and files that come from users: a 300-character name, a FIFO
or ``/dev/zero`` must give a one-line answer, never a traceback, a hang or an endless read."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotRegularFile(OSError):
    """The path exists but is not a regular file (a FIFO, a device, a folder...)."""


class FileTooLarge(OSError):
    """The file is larger than the caller accepts; ``size`` is what ``fstat`` reported."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the file is {size:,} bytes; the limit is {limit:,}")
        self.size = size
        self.limit = limit


def is_file(path: str | Path) -> bool:
    """``Path.is_file`` that answers False for names the OS refuses (too long, bad bytes)."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def is_dir(path: str | Path) -> bool:
    """``Path.is_dir`` that answers False for names the OS refuses."""
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):
        return False


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def read_regular_file(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The file is opened without blocking (opening a FIFO for reading would wait for a writer
    forever), checked with ``fstat`` on that same descriptor (no race with a swapped file), and
    read no further than ``limit + 1`` bytes even if it grows meanwhile.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
            raise NotRegularFile(f"it is {kind}, not a regular file")
        if info.st_size > limit:
            raise FileTooLarge(info.st_size, limit)
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise FileTooLarge(len(data), limit)
        return data
    finally:
        os.close(fd)
