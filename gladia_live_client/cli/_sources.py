"""Where `gladia-live stream` gets its audio: a WAV file, standard input, or any file the decoder reads.

Each source says what it is (for the header line and the summary), the format of its bytes (the session is
created in that format), how many bytes it holds when that is known (for the progress bars), and yields its
audio in blocks of about the size asked for. Nothing here touches the network.

- a WAV file (it starts with ``RIFF``): its header decides the format, checked against what Gladia accepts;
- ``-``: standard input, either a WAV stream (``RIFF`` header detected) or raw audio in the format the
  flags give (``--encoding``, ``--sample-rate``, ``--bit-depth``, ``--channels``);
- any other file: decoded with PyAV (the ``decode`` extra) to 16-bit PCM at ``--sample-rate`` and
  ``--channels``; without the extra, `DecoderNotInstalledError` says what to install.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .._live import AudioFormat, AudioFormatError
from .._live import read_wav_header as _read_wav_header
from .._live._sources import _Peeked, open_audio_file
from ..models import StreamingSupportedBitDepthEnum, StreamingSupportedSampleRateEnum

__all__ = ["ENCODINGS", "AudioSource", "open_source", "probe_wav", "supported_problems"]

ENCODINGS = ("wav/pcm", "wav/alaw", "wav/ulaw")
STDIN = "-"
_CONVERT_HINT = "convert it first, e.g. sox IN.wav -r 16000 -b 16 -c 1 -e signed-integer OUT.wav"
_DECODE_HINT = "or install the decode extra (pip install 'gladia-live-client[decode]') to stream any audio file"


@dataclass
class AudioSource:
    """An opened source of audio for a session.

    Attributes:
        label: what the user named (a path, or "standard input").
        format: the format of the bytes `blocks` yields; the session is created in it.
        total_bytes: the audio bytes it holds, when known before reading it.
        how: how it is read ("WAV", "raw audio", "decoded from MP3 by PyAV"), for the header line.
    """

    label: str
    format: AudioFormat
    total_bytes: int | None
    how: str
    _blocks: Callable[[int], Iterator[bytes]]
    _close: Callable[[], None]

    @property
    def duration(self) -> float | None:
        return None if self.total_bytes is None else self.total_bytes / self.format.bytes_per_second

    def blocks(self, size: int) -> Iterator[bytes]:
        """The audio, in blocks of about `size` bytes."""
        return self._blocks(size)

    def close(self) -> None:
        self._close()


def supported_problems(audio_format: AudioFormat) -> list[str]:
    """What Gladia's live API does not take in `audio_format` (empty when it takes it)."""
    problems = []
    if audio_format.encoding not in ENCODINGS:
        problems.append(f"encoding {audio_format.encoding} (Gladia takes PCM, A-law or mu-law)")
    if audio_format.sample_rate not in {rate.value for rate in StreamingSupportedSampleRateEnum}:
        rates = ", ".join(str(rate.value) for rate in StreamingSupportedSampleRateEnum)
        problems.append(f"sample rate {audio_format.sample_rate} Hz (Gladia takes {rates})")
    if audio_format.bit_depth not in {depth.value for depth in StreamingSupportedBitDepthEnum}:
        depths = ", ".join(str(depth.value) for depth in StreamingSupportedBitDepthEnum)
        problems.append(f"{audio_format.bit_depth}-bit samples (Gladia takes {depths})")
    return problems


def _wav_format(stream: BinaryIO, label: str) -> tuple[AudioFormat, int | None]:
    """Read a WAV header from `stream` (left at the first audio byte): the format and the data size."""
    try:
        info = _read_wav_header(stream)
    except AudioFormatError as exc:
        raise AudioFormatError(f"{label}: {exc}") from None
    problems = []
    if info.format is None or info.format.encoding not in ENCODINGS:
        problems.append(f"format tag {info.format_tag:#06x} (Gladia takes PCM, A-law or mu-law)")
    if info.format is not None:
        problems += [p for p in supported_problems(info.format) if not p.startswith("encoding")]
    if problems or info.format is None:
        raise AudioFormatError(f"{label}: unsupported WAV audio: {'; '.join(problems)}; {_CONVERT_HINT}")
    return info.format, info.data_size


def probe_wav(path: Path) -> tuple[AudioFormat, int]:
    """The format and audio size of a WAV file: `AudioFormatError` when Gladia cannot take it."""
    with path.open("rb") as file:  # OSError (missing file, a directory, ...) propagates: it names the path
        audio_format, size = _wav_format(file, str(path))
        header_end = file.tell()
    return audio_format, size if size is not None else os.path.getsize(path) - header_end


def _wav_file(path: Path) -> AudioSource:
    audio_format, size = probe_wav(path)
    audio = open_audio_file(path, audio_format, "wav")
    return AudioSource(str(path), audio_format, size, "WAV", audio.blocks, audio.close)


def _stream_blocks(stream: BinaryIO, remaining: int | None, prefix: bytes = b"") -> Callable[[int], Iterator[bytes]]:
    """Blocks of `stream` after `prefix` (bytes already read from it), up to `remaining` bytes when known."""

    def blocks(size: int) -> Iterator[bytes]:
        left = remaining
        if prefix:
            head = prefix if left is None else prefix[:left]
            yield head
            if left is not None:
                left -= len(head)
        # read1: hand over what a pipe holds now (a live producer) rather than wait for a whole block
        read = getattr(stream, "read1", stream.read)
        while left is None or left > 0:
            block = read(size if left is None else min(size, left))
            if not block:
                return  # a WAV stream cut short still sends what it had: a pipe's producer decides the end
            if left is not None:
                left -= len(block)
            yield block

    return blocks


def _flag_format(args: argparse.Namespace) -> AudioFormat:
    encoding = args.encoding or "wav/pcm"
    bit_depth = args.bit_depth or (16 if encoding == "wav/pcm" else 8)
    audio_format = AudioFormat(encoding, bit_depth, args.sample_rate or 16000, args.channels or 1)
    problems = supported_problems(audio_format)
    if problems:
        raise AudioFormatError(f"standard input: unsupported audio format: {'; '.join(problems)}")
    return audio_format


def _read_up_to(stream: BinaryIO, size: int) -> bytes:
    data = b""
    while len(data) < size:
        more = stream.read(size - len(data))
        if not more:
            break
        data += more
    return data


def _stdin(args: argparse.Namespace, stream: BinaryIO) -> AudioSource:
    label = "standard input"
    prefix = _read_up_to(stream, 4)
    if prefix == b"RIFF":
        given = [flag for flag in ("encoding", "sample_rate", "bit_depth", "channels") if getattr(args, flag)]
        if given:
            names = ", ".join("--" + flag.replace("_", "-") for flag in given)
            raise AudioFormatError(f"{label} is a WAV stream, whose header gives its format: drop {names}")
        # The header is read through the peeked stream; once past it, the pipe itself is read.
        audio_format, size = _wav_format(_Peeked(prefix, stream), label)  # type: ignore[arg-type]
        return AudioSource(label, audio_format, size, "WAV", _stream_blocks(stream, size), lambda: None)
    audio_format = _flag_format(args)
    return AudioSource(label, audio_format, None, "raw audio", _stream_blocks(stream, None, prefix), lambda: None)


def _is_wav(path: Path) -> bool:
    with path.open("rb") as file:
        head = file.read(12)
    # A RIFF file that says it is not WAVE (AVI) is decoded; a broken WAV header is reported as such.
    return head[:4] == b"RIFF" and head[8:12] in (b"WAVE", b"")


def _decoded(path: Path, args: argparse.Namespace) -> AudioSource:
    from .._live._decode import AudioDecodeError, DecoderNotInstalledError, decode_audio, probe_audio

    if args.encoding not in (None, "wav/pcm") or args.bit_depth not in (None, 16):
        raise AudioFormatError(f"{path}: decoded audio is sent as 16-bit PCM: drop --encoding and --bit-depth")
    audio_format = AudioFormat("wav/pcm", 16, args.sample_rate or 16000, args.channels or 1)
    problems = supported_problems(audio_format)
    if problems:
        raise AudioFormatError(f"{path}: cannot send {'; '.join(problems)}")
    try:
        info = probe_audio(path)
    except DecoderNotInstalledError as exc:
        raise DecoderNotInstalledError(f"{path} is not a WAV file; {exc}") from None
    except AudioDecodeError as exc:
        raise AudioDecodeError(f"{path}: not a WAV file, and {exc.reason}") from None
    total = (
        None if info.duration is None else round(info.duration * audio_format.sample_rate) * 2 * audio_format.channels
    )

    def blocks(size: int) -> Iterator[bytes]:
        return decode_audio(
            path, sample_rate=audio_format.sample_rate, channels=audio_format.channels, block_bytes=size
        )

    return AudioSource(str(path), audio_format, total, f"decoded from {info.codec} by PyAV", blocks, lambda: None)


def open_source(args: argparse.Namespace, stdin: BinaryIO | None = None) -> AudioSource:
    """The source `args.file` names (``-``: standard input), opened and checked."""
    if str(args.file) == STDIN:
        return _stdin(args, stdin if stdin is not None else sys.stdin.buffer)
    path = Path(args.file)
    if _is_wav(path):  # OSError (missing file, a directory, ...) propagates: it names the path
        raw_flags = [flag for flag in ("encoding", "bit_depth") if getattr(args, flag)]
        if raw_flags or args.sample_rate or args.channels:
            raise AudioFormatError(f"{path} is a WAV file, whose header gives its format: drop the format flags")
        return _wav_file(path)
    return _decoded(path, args)
