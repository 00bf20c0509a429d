"""Where a download goes: a path written atomically, or a binary file object the caller owns.

A path is written through a temporary file in the same directory, renamed over the destination only once
every byte has arrived, so a failed download never leaves a partial file there (an existing file stays as it
was). A file object is written in place; what was written before a failure is the caller's to handle.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import IO, cast

from ._exceptions import InvalidRequestError

__all__ = ["Destination", "Sink", "open_sink"]

Destination = str | os.PathLike[str] | IO[bytes]


class Sink:
    """Receives the downloaded chunks; `commit` on success, `abort` on any failure."""

    def __init__(self, file: IO[bytes], *, temp: Path | None, final: Path | None, fsync: bool = False) -> None:
        self._file = file
        self._fsync = fsync
        self._temp = temp
        self._final = final
        self.written = 0

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self.written += len(chunk)

    def commit(self) -> None:
        if self._temp is None or self._final is None:
            return
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._temp, self._final)

    def abort(self) -> None:
        if self._temp is None:
            return
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._temp.unlink()


def open_sink(destination: object, *, fsync: bool = False) -> Sink:
    """Check the destination and open it; raises `InvalidRequestError` (or `OSError`) before any request.

    `fsync`: flush a path's temporary file to disk before renaming it into place (durable across a power
    loss). Off by default, like curl and httpx: the rename alone already keeps a failed download from leaving
    a partial file at the path.
    """
    if isinstance(destination, str | os.PathLike):
        final = Path(destination)
        if final.is_dir():
            raise InvalidRequestError(f"destination {str(final)!r} is a directory; give a file path.")
        temp, file = _create_temp_beside(final)
        return Sink(file, temp=temp, final=final, fsync=fsync)
    if isinstance(destination, io.TextIOBase):
        raise InvalidRequestError("destination is a text file; open it in binary mode ('wb').")
    if not callable(getattr(destination, "write", None)):
        raise InvalidRequestError(
            f"destination must be a path or a binary file object, not {type(destination).__name__}."
        )
    return Sink(cast(IO[bytes], destination), temp=None, final=None)


def _create_temp_beside(final: Path) -> tuple[Path, IO[bytes]]:
    # os.open with O_EXCL and mode 0o666 gives the umask's permissions, like a plain open(), unlike mkstemp's 0o600.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = final.with_name(f".{final.name}.{os.urandom(4).hex()}.part")
        try:
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        return temp, os.fdopen(fd, "wb")
    raise FileExistsError(f"could not create a temporary file beside {str(final)!r}")
