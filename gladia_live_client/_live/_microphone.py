"""Audio from a capture device (a microphone), as chunks of 16-bit PCM for ``session.send_stream``.

Capture goes through miniaudio (the ``mic`` extra: ``pip install 'gladia-live-client[mic]'``), whose wheels
carry the whole capture library and reach the system's audio (ALSA, PulseAudio, Core Audio, WASAPI, ...) at run
time: nothing else to install. It is imported only when a device is listed or opened; without it,
`MicrophoneNotInstalledError` says which extra to install.

The device's audio thread puts each buffer on a queue; the iterator `microphone` returns takes them off. A
consumer that falls `max_backlog` seconds behind (a session that cannot send) ends the iteration with
`MicrophoneError` rather than dropping audio or growing memory without bound; a device that delivers nothing
for `silence_timeout` seconds ends it too. With `seconds`, exactly that much audio is yielded.
"""

from __future__ import annotations

import importlib
import queue
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from .._exceptions import GladiaError, InvalidRequestError

__all__ = [
    "MIC_EXTRA_HINT",
    "Microphone",
    "MicrophoneError",
    "MicrophoneNotInstalledError",
    "list_microphones",
    "microphone",
]

MIC_EXTRA_HINT = "pip install 'gladia-live-client[mic]'"


class MicrophoneNotInstalledError(GladiaError, ImportError):
    """Capturing audio needs miniaudio (the ``mic`` extra), which is not installed."""


class MicrophoneError(GladiaError):
    """A capture device cannot be found, opened or kept up with."""


@dataclass(frozen=True, slots=True)
class Microphone:
    """A capture device: its index (for ``device=``), its name, and the audio system it belongs to."""

    index: int
    name: str
    backend: str


def _miniaudio() -> Any:
    try:
        return importlib.import_module("miniaudio")
    except ImportError:
        raise MicrophoneNotInstalledError(f"capturing audio needs miniaudio: {MIC_EXTRA_HINT}") from None


def _backends(miniaudio: Any, backend: str | None) -> list[Any] | None:
    """miniaudio's backend named `backend` (``alsa``, ``pulseaudio``, ``coreaudio``, ``wasapi``, ``null``, ...)."""
    if backend is None:
        return None  # the system's audio, in miniaudio's order of preference
    known = {member.name.lower(): member for member in miniaudio.Backend}
    if backend.lower() not in known:
        raise MicrophoneError(f"unknown audio backend {backend!r}; expected one of {', '.join(sorted(known))}")
    return [known[backend.lower()]]


def _captures(miniaudio: Any, backend: str | None) -> tuple[str, list[dict[str, Any]]]:
    try:
        devices = miniaudio.Devices(backends=_backends(miniaudio, backend))
        return str(devices.backend), list(devices.get_captures())
    except miniaudio.MiniaudioError as exc:
        raise MicrophoneError(f"cannot list the capture devices: {exc}") from None


def list_microphones(*, backend: str | None = None) -> list[Microphone]:
    """The capture devices of the system's audio (or of `backend`), in the order `device=` indexes them."""
    name, captures = _captures(_miniaudio(), backend)
    return [Microphone(index, str(capture["name"]), name) for index, capture in enumerate(captures)]


def _pick(captures: list[dict[str, Any]], device: int | str | None) -> dict[str, Any] | None:
    if device is None:
        return None  # the system's default capture device
    if isinstance(device, int):
        if 0 <= device < len(captures):
            return captures[device]
    else:
        matches = [capture for capture in captures if device.lower() in str(capture["name"]).lower()]
        if len(matches) == 1:
            return matches[0]
    names = "; ".join(f"{index}: {capture['name']}" for index, capture in enumerate(captures)) or "none"
    raise MicrophoneError(f"no single capture device matches {device!r}; the capture devices are: {names}")


class _Capture:
    """What the device's audio thread hands over: a bounded queue of buffers, then None (the end)."""

    def __init__(self, limit_bytes: int | None, backlog_bytes: int) -> None:
        self.buffers: queue.Queue[bytes | None] = queue.Queue()
        self._left = limit_bytes
        self._backlog_bytes = backlog_bytes
        self._queued = 0
        self._lock = threading.Lock()
        self.done = False
        self.overflowed = False

    def sink(self) -> Generator[None, Any, None]:
        """The generator miniaudio sends each captured buffer (an array of samples) to."""
        while True:
            data = yield
            self.put(bytes(data))

    def put(self, data: bytes) -> None:
        with self._lock:
            if self.done:
                return
            if self._left is not None:
                data = data[: self._left]
                self._left -= len(data)
            if self._queued + len(data) > self._backlog_bytes:
                self.overflowed = self.done = True
                self.buffers.put(None)
                return
            self._queued += len(data)
            if data:
                self.buffers.put(data)
            if self._left == 0:
                self.done = True
                self.buffers.put(None)

    def taken(self, size: int) -> None:
        with self._lock:
            self._queued -= size


def microphone(
    *,
    sample_rate: int = 16000,
    channels: int = 1,
    device: int | str | None = None,
    seconds: float | None = None,
    backend: str | None = None,
    block_ms: int = 100,
    max_backlog: float = 30.0,
    silence_timeout: float = 5.0,
) -> Iterator[bytes]:
    """Capture from `device` (an index of `list_microphones`, part of a device's name, or None: the default).

    Yields signed 16-bit little-endian PCM, interleaved, at `sample_rate` Hz with `channels` channels, in
    chunks of about `block_ms` milliseconds, until `seconds` of audio (exactly) or until the iterator is
    closed. `backend` picks one audio system of miniaudio's (``null`` is its silent device paced in real time,
    which any machine has). Create the session with ``encoding`` ``wav/pcm``, ``bit_depth`` 16 and the same rate and channels.
    Raises `MicrophoneNotInstalledError` without miniaudio, `MicrophoneError` when the device cannot be opened,
    stops delivering for `silence_timeout` seconds, or runs `max_backlog` seconds ahead of the consumer.
    """
    if sample_rate <= 0 or channels <= 0 or block_ms <= 0:
        raise InvalidRequestError(
            f"sample_rate, channels and block_ms must be positive, got {sample_rate}, {channels} and {block_ms}"
        )
    if seconds is not None and seconds <= 0:
        raise InvalidRequestError(f"seconds must be positive or None, got {seconds}")
    miniaudio = _miniaudio()  # before the first chunk is asked for: a missing extra fails at the call
    backends = _backends(miniaudio, backend)
    chosen = _pick(_captures(miniaudio, backend)[1], device) if device is not None else None
    return _capture(miniaudio, backends, chosen, sample_rate, channels, seconds, block_ms, max_backlog, silence_timeout)


def _capture(
    miniaudio: Any,
    backends: list[Any] | None,
    chosen: dict[str, Any] | None,
    sample_rate: int,
    channels: int,
    seconds: float | None,
    block_ms: int,
    max_backlog: float,
    silence_timeout: float,
) -> Iterator[bytes]:
    frame = 2 * channels
    limit = None if seconds is None else round(seconds * sample_rate) * frame
    capture = _Capture(limit, max(1, round(max_backlog * sample_rate)) * frame)
    try:
        handle = miniaudio.CaptureDevice(
            input_format=miniaudio.SampleFormat.SIGNED16,
            nchannels=channels,
            sample_rate=sample_rate,
            buffersize_msec=block_ms,
            device_id=None if chosen is None else chosen["id"],
            backends=backends,
            app_name="gladia-live-client",
        )
    except miniaudio.MiniaudioError as exc:
        which = "the default capture device" if chosen is None else f"the capture device {chosen['name']!r}"
        reason = exc.args[0] if exc.args else exc
        raise MicrophoneError(f"cannot open {which}: {reason}; list the devices to pick one") from None
    sink = capture.sink()
    next(sink)
    try:
        handle.start(sink)
        while True:
            try:
                data = capture.buffers.get(timeout=silence_timeout)
            except queue.Empty:
                raise MicrophoneError(f"the capture device delivered no audio for {silence_timeout:g} s") from None
            if data is None:
                break
            capture.taken(len(data))
            yield data
        if capture.overflowed:
            raise MicrophoneError(
                f"the audio was not taken as fast as it was captured ({max_backlog:g} s behind): audio would be lost"
            )
    finally:
        handle.stop()
        handle.close()
