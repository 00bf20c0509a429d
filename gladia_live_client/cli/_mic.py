"""`gladia-live mic`: stream a microphone (any capture device) to a live session, with the same display,
output file and stopping as `gladia-live stream`.

Capture needs the ``mic`` extra (miniaudio); see `gladia_live_client._live._microphone`. The session is created
as 16-bit PCM at ``--sample-rate`` (16000) and ``--channels`` (1); ``--seconds`` records that much audio and
stops, otherwise Ctrl-C (or SIGTERM) stops the recording: the final transcripts come, the summary shows and
the exit status is 0, since that is how a microphone recording ends. A second Ctrl-C aborts.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .._live import AudioFormat, AudioFormatError
from .._live._microphone import list_microphones, microphone
from ._app import Context
from ._parsing import positive_float, positive_int
from ._sources import AudioSource, supported_problems
from ._stream import add_session_options, stream_source

if TYPE_CHECKING:
    from ._app import Subcommands

__all__ = ["add_parser"]


def _device(text: str) -> int | str:
    """A device index (as --list-devices shows it) or part of a device's name."""
    return int(text) if text.isdigit() else text


def add_parser(commands: Subcommands, connection: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "mic",
        parents=[connection],
        help="stream a microphone to a live session and show the transcript",
        description=(
            "Record from a capture device (the default one unless --device) into a live session and show the "
            "transcript live. --seconds stops after that much audio; otherwise Ctrl-C stops the recording and waits "
            "for the final transcripts (a second Ctrl-C aborts). Needs the mic extra: "
            "pip install 'gladia-live-client[mic]'."
        ),
    )
    parser.add_argument("--list-devices", action="store_true", help="list the capture devices and exit")
    parser.add_argument("--device", type=_device, metavar="DEVICE", help="a device index or part of its name")
    parser.add_argument(
        "--backend",
        metavar="NAME",
        help="the audio system: alsa, pulseaudio, jack, coreaudio, wasapi, ... or null (silence, in real time); "
        "default: the system's",
    )
    parser.add_argument("--seconds", type=positive_float, metavar="S", help="record this much audio, then stop")
    parser.add_argument("--sample-rate", type=positive_int, default=16000, metavar="HZ", help="default: 16000")
    parser.add_argument("--channels", type=positive_int, default=1, metavar="N", help="default: 1")
    add_session_options(parser)
    parser.set_defaults(handler=run_mic)


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """While a device opens, what native audio libraries print on file descriptor 2 (libasound reports every
    device it probes and cannot open) is dropped: the command reports a failure itself, in one line. Nothing
    else runs yet (no session, no thread of ours)."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def run_mic(context: Context) -> int:
    args = context.args
    if args.list_devices:
        for device in list_microphones(backend=args.backend):
            print(f"{device.index}  {device.name}  ({device.backend})", flush=True)
        return 0
    audio_format = AudioFormat("wav/pcm", 16, args.sample_rate, args.channels)
    problems = supported_problems(audio_format)
    if problems:
        raise AudioFormatError(f"cannot record {'; '.join(problems)}")
    name = "the default microphone" if args.device is None else f"microphone {args.device!r}"
    total = None if args.seconds is None else round(args.seconds * args.sample_rate) * audio_format.block_align
    # A missing extra or a device that cannot be opened fails here, before any session is created; what the
    # device captures while the session is created waits in its queue.
    chunks = microphone(
        sample_rate=args.sample_rate,
        channels=args.channels,
        device=args.device,
        seconds=args.seconds,
        backend=args.backend,
    )
    with _native_stderr_silenced():
        first = next(chunks, b"")

    def blocks(size: int) -> Iterator[bytes]:
        yield first
        yield from chunks

    def close() -> None:
        getattr(chunks, "close", lambda: None)()  # stops the device when recording ended early

    source = AudioSource(name, audio_format, total, "live", blocks, close)
    return stream_source(context, source, realtime=False, pace="live", stop_is_normal=True)
