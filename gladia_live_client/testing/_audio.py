"""Audio formats of a live session: sizes, durations, WAV headers and signal levels of raw frames."""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = ["ServerAudioFormat", "alaw_to_linear", "ulaw_to_linear"]

_PCM, _ALAW, _ULAW = 1, 6, 7
_FORMAT_TAGS = {"wav/pcm": _PCM, "wav/alaw": _ALAW, "wav/ulaw": _ULAW}


def ulaw_to_linear(code: int) -> int:
    """G.711 mu-law byte to a 16-bit linear sample."""
    code = ~code & 0xFF
    magnitude = (((code & 0x0F) << 3) + 0x84) << ((code >> 4) & 0x07)
    return -(magnitude - 0x84) if code & 0x80 else magnitude - 0x84


def alaw_to_linear(code: int) -> int:
    """G.711 A-law byte to a 16-bit linear sample."""
    code ^= 0x55
    exponent, mantissa = (code >> 4) & 0x07, code & 0x0F
    magnitude = (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
    return magnitude if code & 0x80 else -magnitude


def _tables(decode: list[int]) -> tuple[bytes, bytes]:
    # Low and high byte of each decoded sample, so `bytes.translate` decodes a whole window in C.
    return bytes(value & 0xFF for value in decode), bytes((value >> 8) & 0xFF for value in decode)


_ULAW_LOW, _ULAW_HIGH = _tables([ulaw_to_linear(code) for code in range(256)])
_ALAW_LOW, _ALAW_HIGH = _tables([alaw_to_linear(code) for code in range(256)])
# Unsigned 8-bit PCM: flipping the top bit gives the signed high byte of the equivalent 16-bit sample.
_U8_HIGH = bytes(code ^ 0x80 for code in range(256))


@dataclass(frozen=True, slots=True)
class ServerAudioFormat:
    """The declared format of a session's raw audio as the local server reads it (the request's encoding, bit
    depth, rate, channels; sizes as `sample_width` and `frame_size`). The client's own description of the
    audio it sends is `gladia_live_client.AudioFormat`: the test double keeps its own on purpose, so that it
    checks the client instead of sharing its mistakes."""

    encoding: str
    bit_depth: int
    sample_rate: int
    channels: int

    @property
    def sample_width(self) -> int:
        """Bytes per sample of one channel (A-law and mu-law are always one byte)."""
        return self.bit_depth // 8 if self.encoding == "wav/pcm" else 1

    @property
    def frame_size(self) -> int:
        """Bytes per sample frame (one sample of every channel)."""
        return self.sample_width * self.channels

    @property
    def byte_rate(self) -> int:
        return self.frame_size * self.sample_rate

    def seconds(self, nbytes: int) -> float:
        """Duration of `nbytes` of audio."""
        return nbytes / self.byte_rate

    def wav_header(self, data_length: int) -> bytes:
        """A RIFF/WAVE header for `data_length` bytes of this audio (pad byte for odd lengths not included).

        PCM gets the canonical 16-byte `fmt ` chunk; A-law and mu-law get the 18-byte one and the `fact`
        chunk non-PCM formats require.
        """
        tag = _FORMAT_TAGS[self.encoding]
        bits = self.sample_width * 8
        fmt = struct.pack("<HHIIHH", tag, self.channels, self.sample_rate, self.byte_rate, self.frame_size, bits)
        chunks = b""
        if tag != _PCM:
            fmt += struct.pack("<H", 0)
            chunks += b"fact" + struct.pack("<II", 4, data_length // self.frame_size)
        chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + chunks
        padded = data_length + (data_length & 1)
        riff_size = 4 + len(chunks) + 8 + padded
        return b"RIFF" + struct.pack("<I", riff_size) + b"WAVE" + chunks + b"data" + struct.pack("<I", data_length)

    def levels(self, window: bytes | bytearray | memoryview) -> list[float]:
        """Mean absolute amplitude of each channel over a window of whole frames, from 0.0 to 1.0."""
        return self.window_levels(window, len(window) // self.frame_size or 1)[0]

    def window_levels(self, data: bytes | bytearray | memoryview, window_frames: int) -> list[list[float]]:
        """`levels` of each successive window of `window_frames` frames in `data` (whole windows only).

        This runs for every 20 ms of audio a session receives, so the work per sample happens in C: every
        encoding becomes the low and high bytes of 16-bit samples with slicing and `bytes.translate`, and the
        sum of absolute values is taken from them (see `_Magnitudes`) instead of from one Python integer per
        sample. The sums are exact: the levels are the same floats as `sum(map(abs, samples)) / (n * 32768)`.
        """
        count = len(data) // self.frame_size
        if count == 0:
            return [[0.0] * self.channels]
        channels = [_Magnitudes(low, high) for low, high in self._split16(bytes(data), count)]
        scale = window_frames * 32768
        return [
            [channel.sum(start, start + window_frames) / scale for channel in channels]
            for start in range(0, count - window_frames + 1, window_frames)
        ]

    def _split16(self, data: bytes, count: int) -> list[tuple[bytes, bytes]]:
        """Each channel's samples as 16-bit ones: (low bytes, high bytes), `count` of each."""
        width, step = self.sample_width, self.frame_size
        data = data[: count * step]
        split = []
        for channel in range(self.channels):
            first = channel * width
            if self.encoding == "wav/pcm" and width >= 2:
                # 16-, 24- and 32-bit little-endian: the two most significant bytes are a 16-bit sample.
                low, high = data[first + width - 2 :: step], data[first + width - 1 :: step]
            elif self.encoding == "wav/pcm":
                low, high = bytes(count), data[first::step].translate(_U8_HIGH)
            else:
                codes = data[first::step]
                ulaw = self.encoding == "wav/ulaw"
                low = codes.translate(_ULAW_LOW if ulaw else _ALAW_LOW)
                high = codes.translate(_ULAW_HIGH if ulaw else _ALAW_HIGH)
            split.append((low, high))
        return split


class _Magnitudes:
    """Sums of absolute values of 16-bit samples given as their low and high bytes, over any range of them.

    A sample is ``256 * h + l`` with ``h`` its signed high byte and ``l`` its unsigned low byte. When it is
    negative, its absolute value is ``256 * (-h - 1) + (255 - l) + 1``: with ``m`` the high byte's magnitude
    byte (``h`` when positive, ``-h - 1`` when negative) and ``x`` the low byte flipped for negative samples
    (``l ^ 0xFF``), every sample's absolute value is ``256 * m + x + (1 if negative)``. The bytes ``m`` and ``x``
    come from `bytes.translate` and one XOR of two integers, so only the two byte sums are left to iterate.
    """

    __slots__ = ("_flipped_low", "_magnitude", "_negative")

    def __init__(self, low: bytes, high: bytes) -> None:
        self._magnitude = high.translate(_MAGNITUDE)
        self._negative = high.translate(_SIGN_MASK)  # 0xFF for a negative sample, 0 otherwise
        if 0xFF in self._negative:
            flipped = int.from_bytes(low, "little") ^ int.from_bytes(self._negative, "little")
            self._flipped_low = flipped.to_bytes(len(low), "little")
        else:
            self._flipped_low = low

    def sum(self, start: int, end: int) -> int:
        if start == 0 and end == len(self._magnitude):
            magnitude, low = self._magnitude, self._flipped_low
        else:
            magnitude, low = self._magnitude[start:end], self._flipped_low[start:end]
        return 256 * sum(magnitude) + sum(low) + self._negative.count(0xFF, start, end)


# The high byte of a 16-bit sample as the magnitude byte of `_Magnitudes`, and as its sign mask.
_MAGNITUDE = bytes(code if code < 0x80 else 0xFF - code for code in range(256))
_SIGN_MASK = bytes(0 if code < 0x80 else 0xFF for code in range(256))
