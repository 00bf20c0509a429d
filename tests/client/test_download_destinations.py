"""`download_audio` to a path: only regular files (or missing paths) are written, and a replaced file keeps its mode.

Real FIFOs, device nodes and symbolic links on the test's file system; the server is a `httpx.MockTransport`
that counts requests, so "refused before any request" is checked, not assumed.
"""

from __future__ import annotations

import os
import socket
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from gladia_live_client import InvalidRequestError

from ._mock import JOB_ID, Script

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types and permission bits")

WAV = b"RIFF" + bytes(range(256)) * 16


def download(script: Script, destination: Path) -> int:
    with script.sync_client() as gladia:
        return gladia.download_audio(JOB_ID, destination)


async def adownload(script: Script, destination: Path) -> int:
    async with script.async_client() as gladia:
        return await gladia.download_audio(JOB_ID, destination)


def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def unix_socket(tmp_path: Path) -> Path:
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays
    return path


def link_to(target: str) -> Callable[[Path], Path]:
    def make(tmp_path: Path) -> Path:
        link = tmp_path / "link.wav"
        link.symlink_to(target)
        return link

    return make


def pipe_fd_link(tmp_path: Path) -> Path:
    # Like a link to /proc/self/fd/1 when standard output is a pipe (under pytest it is a captured file).
    read_end, write_end = os.pipe()
    PIPES.extend((read_end, write_end))
    return link_to(f"/proc/self/fd/{write_end}")(tmp_path)


PIPES: list[int] = []


@pytest.fixture(autouse=True)
def _close_pipes() -> Iterator[None]:
    yield
    while PIPES:
        os.close(PIPES.pop())


SPECIAL: dict[str, tuple[Callable[[Path], Path], str]] = {
    "fifo": (fifo, "is a FIFO"),
    "dev-null": (lambda _: Path("/dev/null"), "is a character device"),
    "socket": (unix_socket, "is a socket"),
    "directory": (lambda tmp_path: tmp_path, "is a directory"),
    "link-to-dev-null": (link_to("/dev/null"), r"through a symbolic link\) is a character device"),
    "link-to-a-pipe-fd": (pipe_fd_link, r"through a symbolic link\) is a FIFO"),
    "link-to-missing": (link_to("missing.wav"), "symbolic link to a missing file"),
}


@pytest.mark.parametrize("kind", SPECIAL)
def test_a_destination_that_is_not_a_regular_file_is_refused_before_any_request(tmp_path: Path, kind: str) -> None:
    make, message = SPECIAL[kind]
    if kind == "link-to-a-pipe-fd" and not Path("/proc/self/fd").is_dir():
        pytest.skip("no /proc/self/fd")
    destination = make(tmp_path)
    before = os.lstat(destination)
    script = Script(httpx.Response(200, content=WAV))
    with pytest.raises(InvalidRequestError, match=message) as caught:
        download(script, destination)
    assert "regular file" in str(caught.value) or "file path inside it" in str(caught.value)
    assert script.requests == []
    after = os.lstat(destination)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode), "the special file is untouched"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("kind", ["fifo", "dev-null", "link-to-missing"])
async def test_async_refuses_the_same_destinations(tmp_path: Path, kind: str) -> None:
    make, message = SPECIAL[kind]
    script = Script(httpx.Response(200, content=WAV))
    with pytest.raises(InvalidRequestError, match=message):
        await adownload(script, make(tmp_path))
    assert script.requests == []


def test_a_fifo_can_still_be_written_as_a_file_object(tmp_path: Path) -> None:
    # What the error message advises: open it yourself. A reader on the other end proves the bytes went through.
    path = fifo(tmp_path)
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with open(path, "wb") as pipe, Script(httpx.Response(200, content=WAV[:4000])).sync_client() as gladia:
            assert gladia.download_audio(JOB_ID, pipe) == 4000
        assert os.read(reader, 8000) == WAV[:4000]
    finally:
        os.close(reader)


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604, 0o755])
def test_a_replaced_file_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "a.wav"
    target.write_bytes(b"old")
    target.chmod(mode)
    old_inode = target.stat().st_ino
    assert download(Script(httpx.Response(200, content=WAV)), target) == len(WAV)
    info = target.stat()
    assert target.read_bytes() == WAV
    assert stat.S_IMODE(info.st_mode) == mode
    assert (info.st_uid, info.st_gid) == (os.getuid(), os.getgid())
    assert info.st_ino != old_inode, "replaced atomically by a rename, not rewritten in place"


async def test_async_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.wav"
    target.write_bytes(b"old")
    target.chmod(0o600)
    assert await adownload(Script(httpx.Response(200, content=WAV)), target) == len(WAV)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() == WAV


def test_the_temporary_file_is_never_wider_than_the_file_it_replaces(tmp_path: Path) -> None:
    # Checked while the body is arriving: a 0600 recording must not be readable by others mid-download.
    target = tmp_path / "a.wav"
    target.write_bytes(b"old")
    target.chmod(0o600)
    seen: list[int] = []

    class Body(httpx.SyncByteStream):
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield WAV[:100]
            seen.extend(stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir() if p.name.endswith(".part"))
            yield WAV[100:]

    assert download(Script(httpx.Response(200, stream=Body())), target) == len(WAV)
    assert seen == [0o600]


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        download(Script(httpx.Response(200, content=WAV)), tmp_path / "new.wav")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.wav").stat().st_mode) == 0o640


def test_a_symbolic_link_to_a_regular_file_replaces_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "a.wav"
    target.write_bytes(b"old")
    target.chmod(0o600)
    link = tmp_path / "latest.wav"
    link.symlink_to(target)
    assert download(Script(httpx.Response(200, content=WAV)), link) == len(WAV)
    assert link.is_symlink()
    assert link.resolve() == target
    assert target.read_bytes() == WAV
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    # The temporary file was made beside the target (same file system: the rename is atomic), and is gone.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.wav", "real"]
    assert [p.name for p in (tmp_path / "real").iterdir()] == ["a.wav"]


def test_the_owner_and_mode_of_a_replaced_file_are_kept(tmp_path: Path) -> None:
    # Only root can give a file to another owner (the case that matters); anyone else checks with their own ids.
    uid, gid = (12345, 23456) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    target = tmp_path / "a.wav"
    target.write_bytes(b"old")
    os.chown(target, uid, gid)
    target.chmod(0o640)
    download(Script(httpx.Response(200, content=WAV)), target)
    info = target.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (uid, gid, 0o640)


def test_a_link_to_a_deleted_file_is_refused(tmp_path: Path) -> None:
    # /proc/self/fd/N of an unlinked file: the kernel still opens it, but it has no path a rename could replace.
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("no /proc/self/fd")
    doomed = tmp_path / "doomed.wav"
    with open(doomed, "wb") as handle:
        doomed.unlink()
        link = link_to(f"/proc/self/fd/{handle.fileno()}")(tmp_path)
        script = Script(httpx.Response(200, content=WAV))
        with pytest.raises(InvalidRequestError, match="no path to replace"):
            download(script, link)
    assert script.requests == []


def test_a_path_that_becomes_a_fifo_during_the_download_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "a.wav"

    class Body(httpx.SyncByteStream):
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield WAV[:100]
            os.mkfifo(target)  # appears while the body is arriving
            yield WAV[100:]

    with pytest.raises(InvalidRequestError, match="is a FIFO"):
        download(Script(httpx.Response(200, stream=Body())), target)
    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"], "the temporary file is removed"


def test_no_free_temporary_name_is_an_invalid_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every random name the download would try beside the target is taken: a typed error, before any request.
    monkeypatch.setattr(os, "urandom", lambda n: b"\x00" * n)
    (tmp_path / ".a.wav.00000000.part").write_bytes(b"someone else's")
    script = Script(httpx.Response(200, content=WAV))
    with pytest.raises(InvalidRequestError, match="could not create a temporary file beside"):
        download(script, tmp_path / "a.wav")
    assert script.requests == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".a.wav.00000000.part"]
