"""Audio formats of a live session: sizes, durations, WAV headers and signal levels of raw frames."""

from __future__ import annotations

import struct
import sys
from array import array
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

    def levels(self, window: bytes | memoryview) -> list[float]:
        """Mean absolute amplitude of each channel over a window of whole frames, from 0.0 to 1.0.

        Every encoding is first turned into 16-bit samples with slicing and `bytes.translate`, so the work
        per sample happens in C (this runs for every 20 ms of audio a session receives).
        """
        samples = self._to_int16(bytes(window))
        count = len(samples) // self.channels
        if count == 0:
            return [0.0] * self.channels
        if self.channels == 1:
            return [sum(map(abs, samples)) / (count * 32768)]
        return [sum(map(abs, samples[c :: self.channels])) / (count * 32768) for c in range(self.channels)]

    def _to_int16(self, data: bytes) -> array[int]:
        width = self.sample_width
        if self.encoding == "wav/pcm" and width == 2:
            pcm = data
        else:
            count = len(data) // width
            buffer = bytearray(2 * count)
            if self.encoding == "wav/ulaw":
                buffer[0::2], buffer[1::2] = data.translate(_ULAW_LOW), data.translate(_ULAW_HIGH)
            elif self.encoding == "wav/alaw":
                buffer[0::2], buffer[1::2] = data.translate(_ALAW_LOW), data.translate(_ALAW_HIGH)
            elif width == 1:
                buffer[1::2] = data.translate(_U8_HIGH)
            else:
                # 24- and 32-bit little-endian: the two most significant bytes are a 16-bit sample.
                buffer[0::2], buffer[1::2] = data[width - 2 :: width], data[width - 1 :: width]
            pcm = bytes(buffer)
        samples = array("h")
        samples.frombytes(pcm[: len(pcm) & ~1])
        if sys.byteorder == "big":
            samples.byteswap()
        return samples
