"""The session's audio format, frame sizing and WAV header checks (pure, no I/O beyond reading a header)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, cast

from .._exceptions import ConfigurationError
from .._generated.models.streaming_request import StreamingRequest
from .._generated.models.streaming_request_params_response import StreamingRequestParamsResponse
from .._generated.types import Unset
from ._errors import AudioFormatError

if TYPE_CHECKING:
    from .._generated.request_types import StreamingRequestDict

__all__ = ["AudioFormat", "WavInfo", "read_wav_header"]

# WAVE format tags (mmreg.h) for the encodings Gladia accepts.
_WAVE_FORMAT_PCM = 0x0001
_WAVE_FORMAT_ALAW = 0x0006
_WAVE_FORMAT_MULAW = 0x0007
_WAVE_FORMAT_EXTENSIBLE = 0xFFFE
_ENCODING_BY_TAG = {_WAVE_FORMAT_PCM: "wav/pcm", _WAVE_FORMAT_ALAW: "wav/alaw", _WAVE_FORMAT_MULAW: "wav/ulaw"}
_TAG_NAMES = {_WAVE_FORMAT_PCM: "PCM", _WAVE_FORMAT_ALAW: "A-law", _WAVE_FORMAT_MULAW: "mu-law", 0x0003: "IEEE float"}
# A data chunk size of 0 or 0xFFFFFFFF is what streaming writers put before they know the length.
_UNKNOWN_SIZES = (0, 0xFFFFFFFF)
# Chunks before `data` (LIST, fact, bext, ...) are skipped; more than this is not a WAV header.
_MAX_HEADER_BYTES = 1 << 20
# The largest audio frame the client sends: well under Gladia's 1 MiB frame limit (bigger frames are closed
# with 1009). The local server keeps its own constant for that limit (`testing._context.MAX_RECEIVED_FRAME_BYTES`)
# on purpose: the client does not import from its test double, and the double states the service's limit itself.
MAX_SENT_FRAME_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """What the session's audio bytes are: encoding, bit depth, sample rate and channels.

    The defaults are the API's documented defaults, which apply when the init request leaves a field unset.
    """

    encoding: str = "wav/pcm"
    bit_depth: int = 16
    sample_rate: int = 16000
    channels: int = 1

    def __post_init__(self) -> None:
        if self.bit_depth <= 0 or self.bit_depth % 8:
            raise AudioFormatError(f"bit_depth must be a positive multiple of 8, got {self.bit_depth}")
        if self.sample_rate <= 0:
            raise AudioFormatError(f"sample_rate must be positive, got {self.sample_rate}")
        if self.channels <= 0:
            raise AudioFormatError(f"channels must be positive, got {self.channels}")
        if self.encoding in ("wav/alaw", "wav/ulaw") and self.bit_depth != 8:
            raise AudioFormatError(f"{self.encoding} audio is 8 bits per sample, got bit_depth {self.bit_depth}")

    @classmethod
    def from_request(cls, request: StreamingRequest | StreamingRequestParamsResponse) -> AudioFormat:
        """The format an init request (or a job's `request_params`) declares; unset fields take the defaults."""
        default = cls()
        encoding = request.encoding
        bit_depth = request.bit_depth
        sample_rate = request.sample_rate
        channels = request.channels
        return cls(
            encoding=default.encoding if isinstance(encoding, Unset) else str(encoding),
            bit_depth=default.bit_depth if isinstance(bit_depth, Unset) else int(bit_depth),
            sample_rate=default.sample_rate if isinstance(sample_rate, Unset) else int(sample_rate),
            channels=default.channels if isinstance(channels, Unset) else int(channels),
        )

    def to_request(self) -> StreamingRequestDict:
        """The four fields of an init request that declare this format, for `init_session()` or `live()`.

        ``{**fmt.to_request(), "language_config": ...}`` adds the other settings. The values are not checked
        against the API's lists here: the client checks the request's keys, the server its values.
        """
        return cast(
            "StreamingRequestDict",
            {
                "encoding": self.encoding,
                "bit_depth": self.bit_depth,
                "sample_rate": self.sample_rate,
                "channels": self.channels,
            },
        )

    @property
    def block_align(self) -> int:
        """Bytes per sample frame (one sample of every channel): frames never split one."""
        return self.channels * self.bit_depth // 8

    @property
    def bytes_per_second(self) -> int:
        return self.sample_rate * self.block_align

    def frame_bytes(self, duration: float) -> int:
        """Bytes in `duration` seconds of audio, rounded to whole sample frames, capped well under 1 MiB."""
        if duration <= 0:
            raise ConfigurationError(f"a frame duration must be a positive number of seconds, got {duration!r}")
        samples = max(1, round(self.sample_rate * duration))
        size = samples * self.block_align
        cap = MAX_SENT_FRAME_BYTES - MAX_SENT_FRAME_BYTES % self.block_align
        return min(size, cap)

    def silence(self, nbytes: int) -> bytes:
        """`nbytes` of digital silence in this encoding (whole sample frames only)."""
        nbytes -= nbytes % self.block_align
        if self.encoding == "wav/alaw":
            return b"\xd5" * nbytes
        if self.encoding == "wav/ulaw":
            return b"\xff" * nbytes
        if self.bit_depth == 8:  # 8-bit PCM WAV is unsigned: silence is the midpoint
            return b"\x80" * nbytes
        return bytes(nbytes)

    def describe(self) -> str:
        layout = {1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels} channels")
        return f"{self.encoding} {self.bit_depth}-bit {self.sample_rate} Hz {layout}"


@dataclass(frozen=True, slots=True)
class WavInfo:
    """What a WAV header says.

    Attributes:
        format: the audio format, when the encoding is one Gladia accepts (else None; see `format_tag`).
        format_tag: the WAVE format tag (1 PCM, 6 A-law, 7 mu-law, 3 float, ...), resolved through
            WAVE_FORMAT_EXTENSIBLE.
        data_size: bytes in the `data` chunk, or None when the header does not say (streamed WAV).
    """

    format: AudioFormat | None
    format_tag: int
    channels: int
    sample_rate: int
    bit_depth: int
    data_size: int | None

    def check_matches(self, expected: AudioFormat) -> None:
        """Raise `AudioFormatError` naming every difference between this file and the session's format."""
        problems = []
        encoding = _ENCODING_BY_TAG.get(self.format_tag)
        if encoding != expected.encoding:
            name = _TAG_NAMES.get(self.format_tag, f"format tag {self.format_tag:#06x}")
            problems.append(f"encoding {encoding or name} != {expected.encoding}")
        if self.bit_depth != expected.bit_depth:
            problems.append(f"bit depth {self.bit_depth} != {expected.bit_depth}")
        if self.sample_rate != expected.sample_rate:
            problems.append(f"sample rate {self.sample_rate} != {expected.sample_rate}")
        if self.channels != expected.channels:
            problems.append(f"channels {self.channels} != {expected.channels}")
        if problems:
            raise AudioFormatError(
                "the WAV file does not match the session's audio format "
                f"({expected.describe()}): {', '.join(problems)}; nothing was sent"
            )


def _read_exact(stream: BinaryIO, size: int, what: str) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise AudioFormatError(f"truncated WAV header: expected {size} bytes of {what}, got {len(data)}")
    return data


def _skip(stream: BinaryIO, size: int) -> None:
    while size > 0:
        data = stream.read(min(size, 65536))
        if not data:
            raise AudioFormatError("truncated WAV file: a chunk ends past the end of the file")
        size -= len(data)


def read_wav_header(stream: BinaryIO) -> WavInfo:
    """Read a RIFF/WAVE header from `stream`, leaving it positioned at the first byte of audio.

    Reads sequentially (works on pipes and sockets); chunks between `fmt ` and `data` are skipped.
    Raises `AudioFormatError` when the stream is not a WAV file or the header is malformed.
    """
    riff = _read_exact(stream, 12, "RIFF header")
    if riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
        raise AudioFormatError("not a RIFF/WAVE file (RF64 and other containers are not supported)")
    fmt: tuple[int, int, int, int] | None = None
    consumed = 12
    while True:
        chunk_id, chunk_size = struct.unpack("<4sI", _read_exact(stream, 8, "chunk header"))
        consumed += 8
        if chunk_id == b"data":
            if fmt is None:
                raise AudioFormatError("malformed WAV header: the data chunk comes before the fmt chunk")
            tag, channels, sample_rate, bits = fmt
            data_size = None if chunk_size in _UNKNOWN_SIZES else chunk_size
            encoding = _ENCODING_BY_TAG.get(tag)
            audio_format = None
            if encoding is not None and bits % 8 == 0 and bits > 0 and channels > 0 and sample_rate > 0:
                try:
                    audio_format = AudioFormat(encoding, bits, sample_rate, channels)
                except AudioFormatError:
                    audio_format = None
            return WavInfo(audio_format, tag, channels, sample_rate, bits, data_size)
        padded = chunk_size + (chunk_size & 1)
        if chunk_id == b"fmt ":
            if chunk_size < 16:
                raise AudioFormatError(f"malformed WAV header: fmt chunk of {chunk_size} bytes (at least 16)")
            body = _read_exact(stream, padded, "fmt chunk")
            tag, channels, sample_rate, _byte_rate, _block_align, bits = struct.unpack("<HHIIHH", body[:16])
            if tag == _WAVE_FORMAT_EXTENSIBLE:
                if chunk_size < 40:
                    raise AudioFormatError("malformed WAV header: WAVE_FORMAT_EXTENSIBLE fmt chunk under 40 bytes")
                # The sub-format GUID starts with the real format tag.
                (tag,) = struct.unpack("<H", body[24:26])
            fmt = (tag, channels, sample_rate, bits)
        else:
            consumed += padded
            if consumed > _MAX_HEADER_BYTES:
                raise AudioFormatError("no data chunk in the first MiB of the WAV file")
            _skip(stream, padded)
