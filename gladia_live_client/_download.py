"""Where a download goes: a path written atomically, or a binary file object the caller owns.

A path is written through a temporary file in the same directory, renamed over the destination only once
every byte has arrived, so a failed download never leaves a partial file there (an existing file stays as it
was). A file object is written in place; what was written before a failure is the caller's to handle.

Which paths are accepted (checked before any request is sent, and again just before the rename):

* a missing path: a new file, with the permissions the process umask gives (like ``open(path, "wb")``);
* an existing regular file: replaced, keeping its permission bits and, where the process may set them, its
  owner and group. The path gets a new inode: hard links to the old file keep the old content;
* a symbolic link: followed, and the same rules apply to its target, which is replaced (the link stays);
* anything else (a directory, a FIFO, a device such as ``/dev/null``, a socket, a link to one of them or a
  dangling link) raises `InvalidRequestError`: renaming a regular file over it would silently replace the
  special file. To write into one, open it yourself and pass the binary file object.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
from dataclasses import dataclass
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
        # Checked again: the download takes time, and what sits at the path may have changed meanwhile.
        _regular_destination(self._final)
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
        final, replaced = _regular_destination(Path(destination))
        temp, file = _create_temp_beside(final, replaced)
        return Sink(file, temp=temp, final=final, fsync=fsync)
    if isinstance(destination, io.TextIOBase):
        raise InvalidRequestError("destination is a text file; open it in binary mode ('wb').")
    if not callable(getattr(destination, "write", None)):
        raise InvalidRequestError(
            f"destination must be a path or a binary file object, not {type(destination).__name__}."
        )
    return Sink(cast(IO[bytes], destination), temp=None, final=None)


@dataclass(frozen=True)
class _Existing:
    """What a replaced file keeps: its permission bits, owner and group."""

    mode: int
    uid: int
    gid: int


_SPECIAL_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _regular_destination(path: Path) -> tuple[Path, _Existing | None]:
    """The file to write (a symbolic link resolved to its target) and, if it exists, what it must keep."""
    try:
        link = stat.S_ISLNK(os.lstat(path).st_mode)
    except FileNotFoundError:
        return path, None
    try:
        info = os.stat(path)  # follows links the way the kernel does, /proc/self/fd/N included
    except (FileNotFoundError, RuntimeError, OSError) as exc:  # dangling, or a loop of links
        raise InvalidRequestError(
            f"destination {str(path)!r} is a symbolic link to a missing file ({type(exc).__name__}); remove the "
            "link or give the path of a regular file."
        ) from None
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for is_kind, name in _SPECIAL_KINDS if is_kind(info.st_mode)), "not a regular file")
        via = " (through a symbolic link)" if link else ""
        fix = (
            "give a file path inside it"
            if stat.S_ISDIR(info.st_mode)
            else "give the path of a regular file, or open it yourself and pass the binary file object"
        )
        raise InvalidRequestError(f"destination {str(path)!r}{via} is {kind}; {fix}.")
    if not link:
        return path, _Existing(stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)
    # The target is replaced, not the link: the temporary file goes beside it so the rename stays atomic.
    try:
        final = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a /proc/self/fd/N link to a deleted file, for one
        raise InvalidRequestError(
            f"destination {str(path)!r} is a symbolic link whose target has no path to replace; give the path of "
            "a regular file, or open it yourself and pass the binary file object."
        ) from None
    return final, _Existing(stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)


def _create_temp_beside(final: Path, replaced: _Existing | None) -> tuple[Path, IO[bytes]]:
    # A new file: mode 0o666 gives the umask's permissions, like a plain open() (unlike mkstemp's 0o600). A
    # replaced file: created owner-only, then given the old owner and mode before any byte is written, so the
    # content is never readable by more users than the old file allowed.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = final.with_name(f".{final.name}.{os.urandom(4).hex()}.part")
        try:
            fd = os.open(temp, flags, 0o666 if replaced is None else 0o600)
        except FileExistsError:
            continue
        try:
            if replaced is not None:
                _keep_owner_and_mode(fd, replaced)
            return temp, os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            temp.unlink()
            raise
    raise InvalidRequestError(
        f"could not create a temporary file beside {str(final)!r}: 100 random names were all taken."
    )


def _keep_owner_and_mode(fd: int, replaced: _Existing) -> None:
    info = os.fstat(fd)
    if hasattr(os, "fchown") and (info.st_uid, info.st_gid) != (replaced.uid, replaced.gid):
        # Only root may give a file away; anyone may set a group they belong to. Keep what is permitted.
        with contextlib.suppress(PermissionError):
            os.fchown(fd, replaced.uid, replaced.gid)
        with contextlib.suppress(PermissionError):
            os.fchown(fd, -1, replaced.gid)
    if hasattr(os, "fchmod"):  # POSIX; after chown, which may clear the set-user-ID and set-group-ID bits
        os.fchmod(fd, replaced.mode)
