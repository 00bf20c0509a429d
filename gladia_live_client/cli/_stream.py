"""`gladia-live stream FILE`: stream a WAV file to a live session and show the transcript as it comes.

The file's WAV header decides the session's audio format, and is checked against what Gladia accepts before
any session is created. A sender thread feeds the file (paced at real time unless ``--fast``) while this
thread reads the session's messages: on a terminal, partial transcripts update in place under the final
ones, above two progress bars (audio sent, audio acknowledged); elsewhere only the final transcripts are
printed. ``--json`` prints every message as one JSON object per line instead.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.live import Live
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn
from rich.table import Table
from rich.text import Text

from .._live import (
    AudioFormat,
    AudioFormatError,
    GenericMessage,
    LiveError,
    LiveMessage,
    LiveOptions,
    LiveSession,
)
from .._live import read_wav_header as _read_wav_header
from ..models import (
    AudioChunkAckMessage,
    StreamingSupportedBitDepthEnum,
    StreamingSupportedRegions,
    StreamingSupportedSampleRateEnum,
    TranscriptMessage,
)
from ..types import Unset
from . import _subtitles
from ._app import Context
from ._errors import CLIError
from ._output import Consoles, format_clock, format_duration
from ._parsing import json_object, positive_float

if TYPE_CHECKING:
    from ._app import Subcommands

__all__ = ["WavFile", "add_parser", "message_json", "probe_wav"]

_SUPPORTED_ENCODINGS = ("wav/pcm", "wav/alaw", "wav/ulaw")
_CONVERT_HINT = "convert it first, e.g. sox IN.wav -r 16000 -b 16 -c 1 -e signed-integer OUT.wav"


def add_parser(commands: Subcommands, connection: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "stream",
        parents=[connection],
        help="stream a WAV file to a live session and show the transcript",
        description=(
            "Create a live session in the WAV file's format, stream the file (at real-time pace unless --fast) and "
            "show the transcript live: partial transcripts update in place, final ones are kept. Ends with a "
            "summary (audio duration, utterances, reconnections) naming the job id for `gladia-live jobs`."
        ),
    )
    parser.add_argument(
        "file",
        metavar="FILE",
        type=Path,
        help="a WAV file: PCM 8/16/24/32-bit, A-law or mu-law, at 8, 16, 32, 44.1 or 48 kHz",
    )
    parser.add_argument("--fast", action="store_true", help="send as fast as the server acknowledges, not in real time")
    parser.add_argument(
        "--json", action="store_true", help="print every server message as one JSON object per line, nothing else"
    )
    parser.add_argument("--acks", action="store_true", help="with --json, also print the acknowledgements")
    parser.add_argument(
        "--language",
        action="append",
        metavar="CODE",
        help="a language spoken in the audio, e.g. en (repeat for several; default: detected)",
    )
    parser.add_argument(
        "--endpointing",
        type=positive_float,
        metavar="SECONDS",
        help="silence that ends an utterance (default: the server's, 0.05 s at Gladia)",
    )
    parser.add_argument(
        "--metadata", type=json_object, metavar="JSON", help="custom metadata for the job, a JSON object"
    )
    parser.add_argument(
        "--region", choices=[region.value for region in StreamingSupportedRegions], help="where to process the audio"
    )
    parser.add_argument("--no-partials", action="store_true", help="do not ask for partial transcripts")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="also write the final utterances to FILE, each as it comes (the display goes on as usual)",
    )
    parser.add_argument(
        "--format",
        choices=_subtitles.FORMATS,
        help="the format of --output: plain text, SRT or WebVTT subtitles, or JSON lines of utterances "
        "(default: from FILE's extension, else txt)",
    )
    parser.set_defaults(handler=run_stream)


# -- the file ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WavFile:
    path: Path
    format: AudioFormat
    audio_bytes: int

    @property
    def duration(self) -> float:
        return self.audio_bytes / self.format.bytes_per_second


def probe_wav(path: Path) -> WavFile:
    """Read and check the WAV header of `path`: `AudioFormatError` when Gladia cannot take the file."""
    with path.open("rb") as file:  # OSError (missing file, a directory, ...) propagates: it names the path
        try:
            info = _read_wav_header(file)
        except AudioFormatError as exc:
            raise AudioFormatError(f"{path}: {exc}; gladia-live stream takes WAV files") from None
        header_end = file.tell()
    problems = []
    if info.format is None or info.format.encoding not in _SUPPORTED_ENCODINGS:
        problems.append(f"format tag {info.format_tag:#06x} (Gladia takes PCM, A-law or mu-law)")
    if info.sample_rate not in {rate.value for rate in StreamingSupportedSampleRateEnum}:
        rates = ", ".join(str(rate.value) for rate in StreamingSupportedSampleRateEnum)
        problems.append(f"sample rate {info.sample_rate} Hz (Gladia takes {rates})")
    if info.bit_depth not in {depth.value for depth in StreamingSupportedBitDepthEnum}:
        depths = ", ".join(str(depth.value) for depth in StreamingSupportedBitDepthEnum)
        problems.append(f"{info.bit_depth}-bit samples (Gladia takes {depths})")
    if problems or info.format is None:
        raise AudioFormatError(f"{path}: unsupported WAV audio: {'; '.join(problems)}; {_CONVERT_HINT}")
    size = info.data_size if info.data_size is not None else os.path.getsize(path) - header_end
    return WavFile(path, info.format, size)


def build_request(wav: WavFile, args: argparse.Namespace) -> dict[str, Any]:
    """The init request: the file's format, the options given, and the messages the display needs."""
    request: dict[str, Any] = {
        "encoding": wav.format.encoding,
        "bit_depth": wav.format.bit_depth,
        "sample_rate": wav.format.sample_rate,
        "channels": wav.format.channels,
        "messages_config": {
            "receive_partial_transcripts": not args.no_partials,
            "receive_final_transcripts": True,
            # end_session marks the end of the session for certain, whatever the server does with the socket.
            "receive_lifecycle_events": True,
        },
    }
    if args.language:
        request["language_config"] = {"languages": list(args.language)}
    if args.endpointing is not None:
        request["endpointing"] = args.endpointing
    if args.metadata is not None:
        request["custom_metadata"] = args.metadata
    return request


# -- messages ------------------------------------------------------------------------------------------------


def message_json(message: LiveMessage) -> dict[str, Any]:
    """A message as the JSON object the server sent (the raw object when it could not be typed)."""
    if isinstance(message, GenericMessage):
        if message.raw:
            return dict(message.raw)
        return {"type": message.type, "unparsed": message.text, "reason": message.reason}
    result: dict[str, Any] = message.to_dict()
    return result


def _transcript_line(message: TranscriptMessage, channels: int) -> Text:
    utterance = message.data.utterance
    line = Text()
    line.append(f"[{format_clock(utterance.start)} → {format_clock(utterance.end)}] ", style="dim")
    if channels > 1:
        line.append(f"ch{utterance.channel} ", style="cyan")
    if not isinstance(utterance.speaker, Unset):
        line.append(f"speaker {utterance.speaker}: ", style="cyan")
    line.append(utterance.text.strip())
    return line


class _SecondsColumn(ProgressColumn):
    """Bytes of audio shown as seconds: ``4.2 / 9.3 s``."""

    def __init__(self, bytes_per_second: int) -> None:
        super().__init__()
        self._rate = bytes_per_second

    def render(self, task: Task) -> Text:
        total = f"{task.total / self._rate:.1f}" if task.total else "?"
        return Text(f"{task.completed / self._rate:6.1f} / {total} s", style="progress.download")


class _Display:
    """What the user sees while the session runs. On a terminal: a `rich.live.Live` region holding the
    partial transcripts and the progress bars, with final transcripts printed above it."""

    def __init__(self, consoles: Consoles, session: LiveSession, wav: WavFile) -> None:
        self._consoles = consoles
        self._session = session
        self._channels = wav.format.channels
        self._lock = threading.Lock()
        self._partials: dict[str, TranscriptMessage] = {}
        self.finals = 0
        self._live: Live | None = None
        if consoles.interactive:
            self._progress = Progress(
                TextColumn("{task.description:>12}"),
                BarColumn(bar_width=None),
                _SecondsColumn(wav.format.bytes_per_second),
                console=consoles.out,
                auto_refresh=False,
            )
            self._sent = self._progress.add_task("sent", total=wav.audio_bytes)
            self._acked = self._progress.add_task("acknowledged", total=wav.audio_bytes)
            self._live = Live(self, console=consoles.out, refresh_per_second=8, transient=False)

    def __enter__(self) -> _Display:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._partials.clear()
        if self._live is not None:
            self._live.stop()

    def __rich__(self) -> RenderableType:
        self._progress.update(self._sent, completed=self._session.bytes_sent)
        self._progress.update(self._acked, completed=self._session.bytes_acknowledged)
        with self._lock:
            partials = list(self._partials.values())
        lines = [_transcript_line(partial, self._channels) for partial in partials]
        for line in lines:
            line.stylize("italic")
        return Group(*lines, self._progress)

    def show(self, message: LiveMessage) -> None:
        if isinstance(message, TranscriptMessage):
            with self._lock:
                if message.data.is_final:
                    self._partials.pop(message.data.id, None)
                else:
                    self._partials[message.data.id] = message
            if message.data.is_final:
                self.finals += 1
                self._consoles.out.print(_transcript_line(message, self._channels), soft_wrap=True)
        elif isinstance(message, AudioChunkAckMessage) and not message.acknowledged:
            reason = message.error.message if message.error is not None else "no reason given"
            self._consoles.note(f"the server did not acknowledge a chunk of audio: {reason}")
        if self._live is not None:
            self._live.refresh()


class _Sender(threading.Thread):
    """Feeds the file to the session, then stops the recording; keeps its failure for the main thread."""

    def __init__(self, session: LiveSession, wav: WavFile, *, realtime: bool) -> None:
        super().__init__(name="gladia-live-sender", daemon=True)
        self._session = session
        self._wav = wav
        self._realtime = realtime
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._session.send_file(self._wav.path, realtime=self._realtime, kind="wav")
            self._session.stop_recording()
        except BaseException as exc:
            self.error = exc
            self._session.abort()  # ends the reader's iteration too


def run_stream(context: Context) -> int:
    args = context.args
    consoles = context.consoles
    wav = probe_wav(args.file)
    request = build_request(wav, args)
    with _transcript_file(args, wav.format.channels) as output, context.client() as gladia:
        session = gladia.live(request, args.region, options=LiveOptions(include_acks=args.json and args.acks))
        pace = "as fast as acknowledged" if args.fast else "in real time"
        if not args.json:
            consoles.out.print(
                f"Streaming {wav.path} ({wav.format.describe()}, {format_duration(wav.duration)}) {pace} "
                f"to session {session.session_id}",
                markup=False,
                soft_wrap=True,
            )
        started = time.monotonic()
        sender = _Sender(session, wav, realtime=not args.fast)
        display = None if args.json else _Display(consoles, session, wav)
        session_error: LiveError | None = None
        try:
            sender.start()
            with display if display is not None else contextlib.nullcontext():
                try:
                    for message in session:
                        if output is not None and isinstance(message, TranscriptMessage):
                            output.add(message)
                        if display is not None:
                            display.show(message)
                        else:
                            print(json.dumps(message_json(message), ensure_ascii=False), flush=True)
                except LiveError as exc:
                    session_error = exc
        except BaseException:
            session.abort()
            raise
        finally:
            sender.join(timeout=30)
        elapsed = time.monotonic() - started
    if sender.error is not None and not (isinstance(sender.error, LiveError) and session_error is not None):
        raise sender.error
    if session_error is not None:
        raise session_error
    if display is not None:
        consoles.show(_summary(session, wav, display.finals, elapsed, output))
    return 0


def _transcript_file(
    args: argparse.Namespace, channels: int
) -> contextlib.AbstractContextManager[_subtitles.TranscriptFile | None]:
    """The --output file, created before the session starts; nothing without --output."""
    if args.output is None:
        if args.format is not None:
            raise CLIError("--format needs --output FILE")
        return contextlib.nullcontext()
    format = args.format or _subtitles.format_for_path(args.output)
    return _subtitles.TranscriptFile(args.output, format, channels=channels)


def _summary(
    session: LiveSession, wav: WavFile, utterances: int, elapsed: float, output: _subtitles.TranscriptFile | None
) -> Table:
    rate = wav.format.bytes_per_second
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    rows: Mapping[str, str] = {
        "Session": str(session.session_id),
        "Audio": f"{format_duration(session.bytes_acknowledged / rate)} acknowledged "
        f"({session.bytes_acknowledged:,} of {wav.audio_bytes:,} bytes)",
        "Elapsed": format_duration(elapsed),
        "Utterances": str(utterances),
        "Reconnections": str(session.reconnections),
    }
    if output is not None:
        rows = {**rows, "Written": f"{output.path} ({output.format}, {output.utterances} utterances)"}
    for name, value in rows.items():
        table.add_row(name, Text(value))
    return table
