"""Any audio or video file as the raw PCM a live session takes, decoded and resampled by PyAV (FFmpeg).

PyAV is the ``decode`` extra (``pip install 'gladia-live-client[decode]'``): its wheels ship FFmpeg's
libraries, so nothing else is needed. It is imported only when a file is decoded; without it,
`DecoderNotInstalledError` says which extra to install.

`decode_audio` demuxes only the first audio stream of the file (video and other streams are skipped),
decodes it packet by packet and converts each frame with PyAV's resampler (FFmpeg's swresample) to signed
16-bit little-endian PCM, interleaved, at the sample rate and channel count asked for. Memory stays flat
whatever the file's length: one packet, one frame and one output block at a time.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from .._exceptions import GladiaError, InvalidRequestError
from ._errors import AudioFormatError

if TYPE_CHECKING:
    from ._audio import AudioFormat

__all__ = [
    "DECODE_EXTRA_HINT",
    "AudioDecodeError",
    "DecodedAudioInfo",
    "DecoderNotInstalledError",
    "decode_audio",
    "decoded_stream",
    "is_media_file",
    "probe_audio",
]

DECODE_EXTRA_HINT = "pip install 'gladia-live-client[decode]'"
# Decoded audio comes out in blocks of this many bytes (about 1 s of 16 kHz mono), the last one shorter.
DEFAULT_BLOCK_BYTES = 32 * 1024

PathOrFile = str | os.PathLike[str] | BinaryIO

# Container signatures that raw PCM cannot be mistaken for (magic bytes at a given offset).
_SIGNATURES: tuple[tuple[int, bytes], ...] = (
    (0, b"ID3"),  # MP3 with an ID3v2 tag
    (0, b"OggS"),  # Ogg (Vorbis, Opus, FLAC)
    (0, b"fLaC"),  # FLAC
    (4, b"ftyp"),  # MP4, M4A, MOV, 3GP
    (0, b"\x1a\x45\xdf\xa3"),  # Matroska, WebM
    (0, b"FORM"),  # AIFF
    (0, b"#!AMR"),  # AMR
    (0, b".snd"),  # Sun/NeXT AU
    (0, b"0&\xb2u"),  # ASF (WMA, WMV)
    (8, b"AVI "),  # AVI (a RIFF file, but not WAVE)
)
# Formats without a reliable signature (an MP3 frame sync looks like silence in raw PCM): known by name.
_MEDIA_SUFFIXES = frozenset(
    [
        ".mp3",
        ".mp2",
        ".aac",
        ".ac3",
        ".eac3",
        ".ogg",
        ".oga",
        ".opus",
        ".flac",
        ".m4a",
        ".m4b",
        ".mp4",
        ".m4v",
        ".mov",
        ".mkv",
        ".mka",
        ".webm",
        ".wma",
        ".wmv",
        ".avi",
        ".aif",
        ".aiff",
        ".amr",
        ".au",
        ".3gp",
        ".caf",
        ".ts",
        ".mts",
        ".mpg",
        ".mpeg",
        ".flv",
        ".spx",
        ".wv",
        ".ape",
    ]
)


class DecoderNotInstalledError(GladiaError, ImportError):
    """The file needs decoding and PyAV (the ``decode`` extra) is not installed."""


class AudioDecodeError(AudioFormatError):
    """The file cannot be decoded: not a media file FFmpeg knows, or no audio stream in it.

    Attributes:
        reason: what is wrong, without the file's name.
    """

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason if reason is not None else message


@dataclass(frozen=True, slots=True)
class DecodedAudioInfo:
    """What `probe_audio` finds: the audio codec's name, its source sample rate and channels, and the
    duration in seconds when the container states it."""

    codec: str
    sample_rate: int
    channels: int
    duration: float | None


def _av() -> Any:
    try:
        import av
    except ImportError:
        raise DecoderNotInstalledError(f"decoding audio files needs PyAV: {DECODE_EXTRA_HINT}") from None
    return av


def is_media_file(path: str | os.PathLike[str], head: bytes) -> bool:
    """Whether a file that is not WAV should be decoded rather than sent as raw audio: its first bytes
    (`head`, 12 are enough) carry a container signature, or its name a media file's extension."""
    if any(head[offset : offset + len(magic)] == magic for offset, magic in _SIGNATURES):
        return True
    return os.path.splitext(os.fspath(path))[1].lower() in _MEDIA_SUFFIXES


def _open(av: Any, source: PathOrFile) -> Any:
    target = os.fspath(source) if isinstance(source, str | os.PathLike) else source
    name = target if isinstance(target, str) else getattr(source, "name", "the file")
    try:
        container = av.open(target, mode="r")
    except av.error.FileNotFoundError:
        raise FileNotFoundError(2, "No such file or directory", name) from None
    except av.error.FFmpegError as exc:
        reason = f"PyAV cannot decode it: {exc.strerror or exc}"
        raise AudioDecodeError(f"{name}: {reason}", reason=reason) from None
    if not container.streams.audio:
        container.close()
        raise AudioDecodeError(f"{name}: it holds no audio stream", reason="it holds no audio stream")
    return container


def probe_audio(source: PathOrFile) -> DecodedAudioInfo:
    """The codec, source rate, channels and (when stated) duration of the first audio stream of `source`."""
    av = _av()
    container = _open(av, source)
    try:
        stream = container.streams.audio[0]
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        codec = stream.codec_context.codec
        return DecodedAudioInfo(codec.long_name or codec.name, stream.rate, stream.channels, duration)
    finally:
        container.close()


def _layout(channels: int) -> str:
    if channels == 1:
        return "mono"
    if channels == 2:
        return "stereo"
    return f"{channels}c"


def decode_audio(
    source: PathOrFile, *, sample_rate: int = 16000, channels: int = 1, block_bytes: int = DEFAULT_BLOCK_BYTES
) -> Iterator[bytes]:
    """Decode the first audio stream of `source` (a path or a seekable binary file) to 16-bit PCM.

    Yields signed 16-bit little-endian samples, interleaved, at `sample_rate` Hz with `channels` channels
    (downmixed or upmixed by the resampler), in blocks of `block_bytes` (the last may be shorter), with flat
    memory. Raises `DecoderNotInstalledError` without PyAV and `AudioDecodeError` for a file it cannot
    decode. Send the blocks with ``session.send_stream(...)`` to a session created with ``encoding``
    ``wav/pcm``, ``bit_depth`` 16 and the same ``sample_rate`` and ``channels``.
    """
    if sample_rate <= 0 or channels <= 0 or block_bytes <= 0:
        raise InvalidRequestError(
            f"sample_rate, channels and block_bytes must be positive, got {sample_rate}, {channels} and {block_bytes}"
        )
    av = _av()
    container = _open(av, source)
    return _decode(av, container, sample_rate, channels, block_bytes)


def _decode(av: Any, container: Any, sample_rate: int, channels: int, block_bytes: int) -> Iterator[bytes]:
    frame_bytes = 2 * channels
    block_bytes = max(frame_bytes, block_bytes - block_bytes % frame_bytes)
    pending = bytearray()
    try:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout=_layout(channels), rate=sample_rate)
        try:
            for packet in container.demux(stream):
                for frame in packet.decode():
                    for out in resampler.resample(frame):
                        # the plane may be padded past its samples: only the samples are audio
                        pending += memoryview(out.planes[0])[: out.samples * frame_bytes]
                while len(pending) >= block_bytes:
                    yield bytes(pending[:block_bytes])
                    del pending[:block_bytes]
            for out in resampler.resample(None):  # what the resampler still holds
                pending += memoryview(out.planes[0])[: out.samples * frame_bytes]
        except av.error.FFmpegError as exc:
            raise AudioDecodeError(f"{container.name}: PyAV cannot decode its audio: {exc.strerror or exc}") from None
        for offset in range(0, len(pending), block_bytes):
            yield bytes(pending[offset : offset + block_bytes])
    finally:
        container.close()


class _BlockReader(io.RawIOBase):
    """A readable stream over an iterator of byte blocks."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks = blocks
        self._current = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._current:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._current = block
        view = memoryview(buffer).cast("B")
        size = min(len(view), len(self._current))
        view[:size] = self._current[:size]
        self._current = self._current[size:]
        return size

    def close(self) -> None:
        close = getattr(self._blocks, "close", None)
        if close is not None:
            close()  # closes the container of a generator stopped early
        super().close()


def decoded_stream(source: PathOrFile, audio_format: AudioFormat) -> BinaryIO:
    """`source` decoded to `audio_format` (16-bit PCM only), as a readable binary stream."""
    if audio_format.encoding != "wav/pcm" or audio_format.bit_depth != 16:
        raise AudioFormatError(
            f"a decoded file is 16-bit PCM, but the session takes {audio_format.describe()}: create the session "
            "with encoding 'wav/pcm' and bit_depth 16"
        )
    blocks = decode_audio(source, sample_rate=audio_format.sample_rate, channels=audio_format.channels)
    return io.BufferedReader(_BlockReader(blocks))
