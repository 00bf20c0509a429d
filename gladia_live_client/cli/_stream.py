"""`gladia-live stream FILE`: stream audio to a live session and show the transcript as it comes.

The audio comes from a WAV file (its header decides the session's format, checked against what Gladia
accepts before any session is created), from standard input (``-``: a WAV stream, or raw audio in the format
the flags give), or from any audio or video file PyAV decodes (the ``decode`` extra); see `_sources`. A
sender thread feeds it (paced at real time unless ``--fast``) while this thread reads the session's messages:
on a terminal, partial transcripts update in place under the final ones, above a progress bar; elsewhere only
the final transcripts are printed. ``--json`` prints every message as one JSON object per line instead;
``--output FILE`` also writes the final utterances as text, subtitles or JSON lines (`_subtitles`).

Stopping: the first Ctrl-C (SIGINT) or SIGTERM stops the sender, which sends ``stop_recording``; the final
transcripts still come and are printed, the summary shows, and the command exits with 130 (SIGINT) or 143
(SIGTERM), as a shell reports an interrupted command, since only part of the input was transcribed. A second
one aborts at once (``error: interrupted``, also 130).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rich.console import Group, RenderableType
from rich.live import Live
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn
from rich.table import Column, Table
from rich.text import Text

from .._live import (
    AudioFormat,
    GenericMessage,
    LiveError,
    LiveMessage,
    LiveOptions,
    LiveSession,
)
from .._live._sources import Pacer
from ..models import (
    AudioChunkAckMessage,
    StreamingSupportedRegions,
    TranscriptMessage,
)
from ..types import StreamingRequestDict, Unset
from . import _sources, _subtitles
from ._app import Context
from ._errors import CLIError
from ._output import Consoles, format_clock, format_duration
from ._parsing import json_object, positive_float, positive_int
from ._sources import AudioSource

if TYPE_CHECKING:
    from ._app import Subcommands

__all__ = ["WavFile", "add_parser", "add_session_options", "message_json", "probe_wav", "stream_source"]

_UNPACED_BLOCK_BYTES = 64 * 1024


def add_parser(commands: Subcommands, connection: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "stream",
        parents=[connection],
        help="stream an audio file (or standard input) to a live session and show the transcript",
        description=(
            "Create a live session in the audio's format, stream it (at real-time pace unless --fast) and show the "
            "transcript live: partial transcripts update in place, final ones are kept. Ends with a summary (audio "
            "duration, utterances, reconnections) naming the job id for `gladia-live jobs`. The first Ctrl-C stops "
            "the recording and waits for the final transcripts; a second one aborts."
        ),
    )
    parser.add_argument(
        "file",
        metavar="FILE",
        help="a WAV file (PCM 8/16/24/32-bit, A-law or mu-law, at 8, 16, 32, 44.1 or 48 kHz); any other audio or "
        "video file with the decode extra; or - for standard input (a WAV stream, or raw audio: see the format "
        "flags)",
    )
    parser.add_argument("--fast", action="store_true", help="send as fast as the server acknowledges, not in real time")
    add_session_options(parser)
    audio = parser.add_argument_group(
        "raw audio format",
        "the format of raw audio on standard input (defaults: wav/pcm, 16000 Hz, 16-bit, 1 channel); --sample-rate "
        "and --channels also set what a decoded file is resampled to",
    )
    audio.add_argument("--encoding", choices=_sources.ENCODINGS, help="the samples' encoding")
    audio.add_argument("--sample-rate", type=positive_int, metavar="HZ", help="samples per second")
    audio.add_argument("--bit-depth", type=positive_int, metavar="BITS", help="bits per sample")
    audio.add_argument("--channels", type=positive_int, metavar="N", help="interleaved channels")
    parser.set_defaults(handler=run_stream)


def add_session_options(parser: argparse.ArgumentParser) -> None:
    """The options of the session and of its output, shared by `stream` and `mic`."""
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


# -- the request ---------------------------------------------------------------------------------------------


def probe_wav(path: Path) -> WavFile:
    """Read and check the WAV header of `path`: `AudioFormatError` when Gladia cannot take the file."""
    audio_format, size = _sources.probe_wav(path)
    return WavFile(path, audio_format, size)


@dataclass(frozen=True)
class WavFile:
    path: Path
    format: AudioFormat
    audio_bytes: int

    @property
    def duration(self) -> float:
        return self.audio_bytes / self.format.bytes_per_second


def build_request(audio_format: AudioFormat, args: argparse.Namespace) -> StreamingRequestDict:
    """The init request: the audio's format, the options given, and the messages the display needs."""
    request: dict[str, Any] = {
        **audio_format.to_request(),
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
    # Command-line strings, not the spec's literals: the client checks the keys and the server the values.
    return cast("StreamingRequestDict", request)


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
    """One utterance on one line, as printed when the output is not a terminal."""
    clock, text = _transcript_parts(message, channels)
    line = Text()
    line.append(clock, style="dim")
    line.append(" ")
    line.append_text(text)
    return line


def _transcript_parts(message: TranscriptMessage, channels: int) -> tuple[str, Text]:
    """The time range of an utterance, and its text (after its channel and speaker, when there are some)."""
    utterance = message.data.utterance
    text = Text()
    if channels > 1:
        text.append(f"ch{utterance.channel} ", style="cyan")
    if not isinstance(utterance.speaker, Unset):
        text.append(f"speaker {utterance.speaker}: ", style="cyan")
    text.append(utterance.text.strip())
    return f"[{format_clock(utterance.start)} → {format_clock(utterance.end)}]", text


def _transcript_rows(messages: list[TranscriptMessage], channels: int, *, style: str = "") -> Table:
    """Utterances as the terminal shows them: the time range in a column of its own, and the text wrapped at
    word boundaries beside it, so that a long utterance wraps under its own first word, never mid-word."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(style=style, overflow="fold")  # only a word wider than the column is folded
    for message in messages:
        clock, text = _transcript_parts(message, channels)
        table.add_row(clock, text)
    return table


# Acknowledgements lagging less than this (in seconds of audio) are a network round trip: not worth showing.
_ACK_LAG_SHOWN = 1.0


class _SecondsColumn(ProgressColumn):
    """The audio acknowledged, in seconds: ``4.2 / 8.0 s``; while the audio sent runs ahead of it by a second
    or more (``--fast``, a slow server), the audio sent too: ``4.2 / 8.0 s (8.0 s sent)``."""

    def __init__(self, bytes_per_second: int) -> None:
        super().__init__(table_column=Column(no_wrap=True))  # the bar gives way on a narrow terminal
        self._rate = bytes_per_second

    def render(self, task: Task) -> Text:
        total = f"{task.total / self._rate:.1f}" if task.total else "?"
        text = Text(f"{task.completed / self._rate:.1f} / {total} s", style="green")
        sent: float = task.fields.get("sent", task.completed)
        if (sent - task.completed) / self._rate >= _ACK_LAG_SHOWN:
            text.append(f" ({sent / self._rate:.1f} s sent)", style="yellow")
        return text


class _Display:
    """What the user sees while the session runs. On a terminal: a `rich.live.Live` region holding the
    partial transcripts and one progress bar (the audio acknowledged, and the audio sent when it runs ahead),
    with final transcripts printed above it, wrapped at word boundaries."""

    def __init__(self, consoles: Consoles, session: LiveSession, source: AudioSource) -> None:
        self._consoles = consoles
        self._session = session
        self._channels = source.format.channels
        self._lock = threading.Lock()
        self._partials: dict[str, TranscriptMessage] = {}
        self.finals = 0
        self._live: Live | None = None
        if consoles.interactive:
            self._progress = Progress(
                TextColumn("audio"),
                # Named colours, not rich's default RGB ones: on an 8- or 16-colour terminal those turn into
                # the same grey as the bar's background, and a finished bar looks empty.
                BarColumn(bar_width=None, style="bright_black", complete_style="cyan", finished_style="green"),
                _SecondsColumn(source.format.bytes_per_second),
                console=consoles.out,
                auto_refresh=False,
            )
            self._task = self._progress.add_task("audio", total=source.total_bytes, sent=0)
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
        self._progress.update(self._task, completed=self._session.bytes_acknowledged, sent=self._session.bytes_sent)
        with self._lock:
            partials = list(self._partials.values())
        if not partials:
            return self._progress
        return Group(_transcript_rows(partials, self._channels, style="italic"), self._progress)

    def show(self, message: LiveMessage) -> None:
        if isinstance(message, TranscriptMessage):
            with self._lock:
                if message.data.is_final:
                    self._partials.pop(message.data.id, None)
                else:
                    self._partials[message.data.id] = message
            if message.data.is_final:
                self.finals += 1
                if self._consoles.interactive:
                    self._consoles.out.print(_transcript_rows([message], self._channels))
                else:  # one line each, however long, for whatever reads them
                    self._consoles.out.print(_transcript_line(message, self._channels), soft_wrap=True)
        elif isinstance(message, AudioChunkAckMessage) and not message.acknowledged:
            reason = message.error.message if message.error is not None else "no reason given"
            self._consoles.note(f"the server did not acknowledge a chunk of audio: {reason}")
        if self._live is not None:
            self._live.refresh()


class _Sender(threading.Thread):
    """Feeds the source to the session, then stops the recording; keeps its failure for the main thread.

    `stop` (set by the first Ctrl-C or SIGTERM) ends the feeding early, between two blocks or during a
    pacing wait; the recording is then stopped all the same, so what was sent gets its final transcripts.
    """

    def __init__(self, session: LiveSession, source: AudioSource, *, realtime: bool) -> None:
        super().__init__(name="gladia-live-sender", daemon=True)
        self._session = session
        self._source = source
        self._realtime = realtime
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._feed()
            self._session.stop_recording()
        except BaseException as exc:
            self.error = exc
            self._session.abort()  # ends the reader's iteration too
        finally:
            self._source.close()

    def _feed(self) -> None:
        rate = self._source.format.bytes_per_second
        # Paced: about 100 ms a block, as Gladia recommends; unpaced, bigger reads (the session cuts frames).
        size = self._source.format.frame_bytes(0.1) if self._realtime else _UNPACED_BLOCK_BYTES
        pacer = Pacer(rate, time.monotonic())
        sent = 0
        for block in self._source.blocks(size):
            if self._realtime and self.stop.wait(pacer.delay(sent + len(block), time.monotonic())):
                return
            if self.stop.is_set():
                return
            self._session.send_audio(block)
            sent += len(block)


class _StopOnSignal:
    """While active (in the main thread): the first SIGINT or SIGTERM calls `on_first(signal)`; a second one
    raises KeyboardInterrupt, which aborts the session. The previous handlers are restored on exit."""

    def __init__(self, on_first: Callable[[int], None]) -> None:
        self._on_first = on_first
        self.received: int | None = None
        self._previous: dict[int, Any] = {}
        self._in_first = False
        self._abort_after_first = False

    def __enter__(self) -> _StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                previous = signal.getsignal(signum)
                if previous is signal.SIG_IGN:
                    continue  # an ignored signal (a background job's SIGINT) stays ignored
                self._previous[signum] = previous
                signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)

    def _handle(self, signum: int, frame: object) -> None:
        if self.received is not None:
            if self._in_first:
                # A second signal during `on_first` (a handler runs between two bytecodes of the first one):
                # interrupting it there could leave rich's output buffer half flushed, printed twice later.
                self._abort_after_first = True
                return
            raise KeyboardInterrupt
        self.received = signum
        self._in_first = True
        try:
            self._on_first(signum)
        finally:
            self._in_first = False
        if self._abort_after_first:
            raise KeyboardInterrupt


def run_stream(context: Context) -> int:
    source = _sources.open_source(context.args)
    try:
        pace = "as fast as acknowledged" if context.args.fast else "in real time"
        return stream_source(context, source, realtime=not context.args.fast, pace=pace)
    finally:
        source.close()


def stream_source(
    context: Context, source: AudioSource, *, realtime: bool, pace: str, stop_is_normal: bool = False
) -> int:
    """Stream `source` to a new session with the display, the output file and the signal handling.

    The exit status after a first Ctrl-C or SIGTERM is 128 + the signal, unless `stop_is_normal` (a
    microphone, which one stops with Ctrl-C): then 0.
    """
    args = context.args
    consoles = context.consoles
    request = build_request(source.format, args)
    with _transcript_file(args, source.format.channels) as output, context.client() as gladia:
        session = gladia.live(request, args.region, options=LiveOptions(include_acks=args.json and args.acks))
        started = time.monotonic()
        sender = _Sender(session, source, realtime=realtime)

        def stop_recording(signum: int) -> None:
            sender.stop.set()
            name = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
            consoles.note(f"{name}: stopping the recording, waiting for the final transcripts ({name} again aborts)")

        display = None if args.json else _Display(consoles, session, source)
        session_error: LiveError | None = None
        # Ctrl-C stops the recording from the moment the header line tells the user it started.
        with _StopOnSignal(stop_recording) as signals:
            if not args.json:
                length = f", {format_duration(source.duration)}" if source.duration is not None else ""
                how = f" {source.how}" if source.how.startswith("decoded") else ""
                # On a terminal, rich wraps the line between words: the session id stays whole, on one line.
                consoles.out.print(
                    f"Streaming {source.label}{how} ({source.format.describe()}{length}) {pace} "
                    f"to session {session.session_id}",
                    markup=False,
                    soft_wrap=not consoles.interactive,
                )
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
                sender.stop.set()
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
        consoles.show(_summary(session, source, display.finals, elapsed, output, signals.received))
    if signals.received is not None and not stop_is_normal:
        return 128 + signals.received  # 130 after Ctrl-C, 143 after SIGTERM: only part of the input was sent
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
    session: LiveSession,
    source: AudioSource,
    utterances: int,
    elapsed: float,
    output: _subtitles.TranscriptFile | None,
    stopped_by: int | None,
) -> Table:
    rate = source.format.bytes_per_second
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    of_total = f" of {source.total_bytes:,}" if source.total_bytes is not None else ""
    rows: dict[str, str] = {
        "Session": str(session.session_id),
        "Audio": f"{format_duration(session.bytes_acknowledged / rate)} acknowledged "
        f"({session.bytes_acknowledged:,}{of_total} bytes)",
        "Elapsed": format_duration(elapsed),
        "Utterances": str(utterances),
        "Reconnections": str(session.reconnections),
    }
    if stopped_by is not None:
        name = "Ctrl-C" if stopped_by == signal.SIGINT else "SIGTERM"
        rows["Stopped"] = f"by {name}, after {format_duration(session.bytes_sent / rate)} of audio"
    if output is not None:
        rows["Written"] = f"{output.path} ({output.format}, {output.utterances} utterances)"
    for name, value in rows.items():
        table.add_row(name, Text(value))
    return table
