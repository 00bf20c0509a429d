"""Where audio comes from: files (WAV, raw, or decoded by PyAV) read in frame-sized blocks, and real-time pacing.

Shared by both shells; nothing here touches the network. A WAV file's header is read and checked against
the session's format before its first byte of audio is handed to the session, so a mismatch sends nothing.
Any other audio or video file (MP3, Ogg, M4A, FLAC, MP4, ...: see `_decode.is_media_file`) is decoded and
resampled to the session's format by PyAV when the ``decode`` extra is installed (`DecoderNotInstalledError`
otherwise): ``send_file("meeting.mp3")`` works on a 16-bit PCM session.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import BinaryIO, Literal

from .._exceptions import InvalidRequestError
from ._audio import AudioFormat, read_wav_header
from ._decode import decoded_stream, is_media_file
from ._errors import AudioFormatError

__all__ = ["AudioFile", "FileKind", "Pacer", "open_audio_file"]

FileKind = Literal["auto", "wav", "raw", "decode"]
PathOrFile = str | os.PathLike[str] | BinaryIO

# Unpaced reads use blocks this big (the session cuts them into frames); paced reads use one frame.
_READ_BYTES = 64 * 1024
# Enough of a file's start to tell WAV, a media container or raw audio apart.
_SNIFF_BYTES = 12


class _Peeked(io.RawIOBase):
    """A stream whose first bytes were already read (to sniff the format): serves them again first."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            if size < 0:
                data, self._prefix = self._prefix + self._rest.read(), b""
                return data
            data, self._prefix = self._prefix[:size], self._prefix[size:]
            if len(data) < size:
                data += self._rest.read(size - len(data))
            return data
        return self._rest.read(size)


@dataclass
class AudioFile:
    """An opened audio source positioned at its first audio byte.

    Attributes:
        stream: where the audio bytes come from.
        remaining: audio bytes left per the WAV header, or None (raw file, or a WAV of unknown length):
            read to the end of the stream. Bytes after a WAV `data` chunk (trailing metadata) are not audio.
        is_wav: whether a WAV header was read and checked.
    """

    stream: BinaryIO
    remaining: int | None
    is_wav: bool
    _closer: ExitStack

    def blocks(self, size: int = _READ_BYTES) -> Iterator[bytes]:
        """The audio in blocks of at most `size` bytes."""
        remaining = self.remaining
        while remaining is None or remaining > 0:
            want = size if remaining is None else min(size, remaining)
            block = self.stream.read(want)
            if not block:
                if remaining is not None:
                    raise AudioFormatError(f"the WAV file ends {remaining} bytes before its data chunk does")
                return
            if remaining is not None:
                remaining -= len(block)
            yield block

    def close(self) -> None:
        self._closer.close()


def open_audio_file(source: PathOrFile, audio_format: AudioFormat, kind: FileKind = "auto") -> AudioFile:
    """Open `source` (a path, or a binary file object, which stays open) and check it against `audio_format`.

    kind: "wav" requires a WAV header; "raw" sends the bytes as they are; "decode" decodes any audio or video
    file with PyAV (the ``decode`` extra) to the session's format; "auto" (default) reads a WAV header when the
    file starts with `RIFF`, decodes a path that is a media file (by its signature or extension), else treats
    it as raw audio in the session's format.
    Raises `AudioFormatError` (nothing sent yet) when the WAV header does not match the session.
    """
    if kind not in ("auto", "wav", "raw", "decode"):
        raise InvalidRequestError(f"send_file(kind=...) must be 'auto', 'wav', 'raw' or 'decode', got {kind!r}")
    if kind == "decode":
        return _decoded(source, audio_format)
    closer = ExitStack()
    try:
        if isinstance(source, str | os.PathLike):
            stream: BinaryIO = closer.enter_context(open(source, "rb"))  # noqa: SIM115 -- closed by AudioFile.close
        else:
            stream = source
        if kind == "raw":
            return AudioFile(stream, None, False, closer)
        prefix = stream.read(_SNIFF_BYTES)
        peeked: BinaryIO = _Peeked(prefix, stream)  # type: ignore[assignment]
        is_path = isinstance(source, str | os.PathLike)
        if kind == "auto" and prefix[8:12] != b"WAVE" and is_path and is_media_file(source, prefix):  # type: ignore[arg-type]
            closer.close()
            return _decoded(source, audio_format)
        if prefix[:4] != b"RIFF":
            if kind == "wav":
                raise AudioFormatError("not a WAV file: it does not start with 'RIFF'")
            return AudioFile(peeked, None, False, closer)
        info = read_wav_header(peeked)
        info.check_matches(audio_format)
        return AudioFile(peeked, info.data_size, True, closer)
    except BaseException:
        closer.close()
        raise


def _decoded(source: PathOrFile, audio_format: AudioFormat) -> AudioFile:
    stream = decoded_stream(source, audio_format)
    closer = ExitStack()
    closer.callback(stream.close)
    return AudioFile(stream, None, False, closer)


class Pacer:
    """Real-time pacing: how long to wait before handing over audio up to a given offset.

    Schedules against the start time (not the previous chunk), so delays in the caller do not accumulate.
    """

    def __init__(self, bytes_per_second: int, start: float) -> None:
        self._rate = bytes_per_second
        self._start = start

    def delay(self, sent_bytes: int, now: float) -> float:
        """Seconds to wait so that `sent_bytes` of audio are not handed over before they were "recorded"."""
        return max(0.0, self._start + sent_bytes / self._rate - now)
