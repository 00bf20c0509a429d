"""What `LiveSession` and `AsyncLiveSession` share: construction, facts, and every decision their I/O acts on.

`LiveProtocol` holds the session's state; the shells (`_sync.py` on threads, `_async.py` on asyncio) own the
socket, the clock readings, the threads or tasks and the waiting. `SessionShell` is the seam between them,
without I/O: each of its methods reads or updates the core and tells the shell what to do next (which frames
to write, whether to cut or close a connection, which waiters to wake, what a failure means). The sync shell
calls them with its lock held, the async shell from the event loop. Frames are written by one writer at a
time: the shell's writer (`_next_writes`), or, in the async shell, the caller itself when nothing waits
(`_offer_directly`).

The two longer plans are generators that yield the I/O they need and take its outcome back, in the manner of
sans-I/O coroutines: `_supervision` (connect, serve the connection, fetch the result over REST, back off,
again) and `_result_fetch` (poll the job, read the recording's length, wait). A shell drives one with a short
loop (`advance`) that performs each step with its own I/O; a failed step is thrown back into the plan, which
decides what the failure means.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Self

from .. import _validation
from .._exceptions import ConfigurationError, InvalidRequestError
from .._generated.models.init_streaming_response import InitStreamingResponse
from .._generated.models.post_final_transcript_message import PostFinalTranscriptMessage
from .._generated.models.streaming_request import StreamingRequest
from .._generated.models.streaming_request_params_response import StreamingRequestParamsResponse
from .._generated.models.transcript_message import TranscriptMessage
from .._log import package_logger
from .._redaction import proxy_credentials, register
from ._audio import AudioFormat
from ._callbacks import Callback, MessageCallbacks, MessageKind
from ._errors import LiveCallbackError, LiveError, LiveSessionEnded, LiveTimeoutError
from ._masking import mask_text, mask_url, url_secrets
from ._messages import GenericMessage, LiveMessage
from ._options import LiveOptions
from ._protocol import Action, Closing, FetchResult, Frame, LiveProtocol, LiveState, LiveStats, Reconnect
from ._rest_result import RecordingHeader, ResultPoll, final_message_from_job
from ._sources import AudioFile, Pacer
from ._websockets_adapter import classify_connect_error, is_connection_closed

__all__ = [
    "ABORT_WAIT",
    "CONNECT",
    "AudioChunk",
    "Connect",
    "FinalResult",
    "FormatLike",
    "GetJob",
    "Idle",
    "Outcome",
    "Pause",
    "ReadRecordingLength",
    "Serve",
    "SessionShell",
    "Step",
    "Wake",
    "advance",
    "audio_view",
    "check_recv_timeout",
    "format_of",
    "is_transcript",
]

logger = package_logger("gladia_live_client.live")

FormatLike = AudioFormat | StreamingRequest | StreamingRequestParamsResponse | Mapping[str, Any] | None
# abort() waits at most this long for the I/O threads or tasks (then a thread, a daemon, ends on its own once
# its socket is cut; a task is cancelled).
ABORT_WAIT = 0.5

AudioChunk = bytes | bytearray | memoryview
"""Audio as both shells take it: raw bytes in the session's format."""


def format_of(audio: FormatLike) -> AudioFormat:
    if audio is None:
        return AudioFormat()
    if isinstance(audio, AudioFormat):
        return audio
    if isinstance(audio, StreamingRequest | StreamingRequestParamsResponse):
        return AudioFormat.from_request(audio)
    if isinstance(audio, Mapping):  # the init request as a dict, checked as `POST /v2/live` checks it
        return AudioFormat.from_request(_validation.streaming_request(audio))
    raise ConfigurationError(
        "audio_format must be an AudioFormat, the session's StreamingRequest (or its dict) or a job's request_params "
        f"(or None: 16 kHz 16-bit mono PCM), got {type(audio).__name__}"
    )


def is_transcript(message: LiveMessage, final_only: bool) -> bool:
    return isinstance(message, TranscriptMessage) and (not final_only or message.data.is_final)


def audio_view(data: object, where: str = "send_audio") -> memoryview:
    """`data` as a flat view of bytes; anything that is not bytes-like raises `InvalidRequestError`."""
    if isinstance(data, str):
        raise InvalidRequestError(f"{where}() takes raw audio bytes, got str: encode or read the audio as bytes")
    try:
        return memoryview(data).cast("B")  # type: ignore[arg-type]
    except TypeError:
        raise InvalidRequestError(
            f"{where}() takes bytes-like audio (bytes, bytearray, memoryview), got {type(data).__name__}"
        ) from None


def check_recv_timeout(timeout: object) -> float | None:
    """`recv(timeout)`: None (wait as long as the session lasts) or seconds >= 0 (0: only what is there)."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout >= 0:
        raise InvalidRequestError(f"recv(timeout=...) takes None or a number of seconds >= 0, got {timeout!r}")
    return float(timeout)


class FinalResult:
    """Collects the `post_final_transcript` message from a session's messages (both shells feed it)."""

    def __init__(self) -> None:
        self._result: PostFinalTranscriptMessage | None = None
        self._untyped: GenericMessage | None = None

    def feed(self, message: LiveMessage) -> None:
        if isinstance(message, PostFinalTranscriptMessage):
            self._result = message
        elif isinstance(message, GenericMessage) and message.type == "post_final_transcript":
            self._untyped = message

    def result(self) -> PostFinalTranscriptMessage:
        if self._result is not None:
            return self._result
        if self._untyped is not None:
            raise LiveError(
                "the post_final_transcript message does not fit its schema "
                f"({self._untyped.reason}); its raw JSON is this error's `server_message.raw`"
            ).with_server_message(self._untyped)
        raise LiveError(
            "the session ended without a post_final_transcript message "
            "(is messages_config.receive_post_processing_events off?)"
        )


class Wake:
    """Which waiters a change concerns: bits of an `int` (combined with ``|``; an `enum.Flag` costs several
    Python calls per test, on every frame); each shell keeps one waiting place per bit."""

    NONE: Final = 0
    WORK: Final = 1
    """The writer: something to send, or its connection is gone."""
    ROOM: Final = 2
    """Senders: room in the buffer, or the end."""
    NEWS: Final = 4
    """Readers and waits: a message, or the end."""
    ALL: Final = WORK | ROOM | NEWS


# -- the steps of the plans: I/O a shell performs, and what it sends back --------------------------------


@dataclass(frozen=True, slots=True)
class Connect:
    """Open a WebSocket to the session's URL; send back the connection (a failure is thrown back)."""


CONNECT = Connect()


@dataclass(frozen=True, slots=True)
class Serve:
    """Run the open connection `ws` (reader and writer) until it ends; send back the core's `Action` (None
    when the session was over before it started), and close the connection on every way out."""

    ws: Any


@dataclass(frozen=True, slots=True)
class Pause:
    """Wait `delay` seconds, cut short when the session finishes (`abort()`); send back nothing."""

    delay: float


@dataclass(frozen=True, slots=True)
class GetJob:
    """Fetch the job over REST (`get_job(session_id)`); send back the `StreamingResponse`."""

    session_id: str


@dataclass(frozen=True, slots=True)
class ReadRecordingLength:
    """Start downloading the job's recording (`iter_audio(session_id, chunk_size=HEADER_CHUNK,
    deadline=timeout)`), feed its chunks to `header` until it gives the length, close the download and send
    back the length (`header.ended()` is the error when the download ends first)."""

    session_id: str
    timeout: float
    header: RecordingHeader


Step = Connect | Serve | Pause | GetJob | ReadRecordingLength


@dataclass(frozen=True, slots=True)
class Idle:
    """The writer has nothing to send: wait until woken (`Wake.WORK`) or `timeout` seconds (None: no limit)."""

    timeout: float | None


class Outcome:
    """What a performed step gave: its value, or the exception it raised (thrown back into the plan)."""

    __slots__ = ("error", "value")

    def __init__(self, value: object = None, error: Exception | None = None) -> None:
        self.value = value
        self.error = error


def advance(plan: Generator[Step, Any, Any], outcome: Outcome) -> Step | None:
    """Hand `outcome` to `plan` and return its next step, or None once it is over."""
    try:
        if outcome.error is not None:
            return plan.throw(outcome.error)
        return plan.send(outcome.value)
    except StopIteration:
        return None


class SessionShell(abc.ABC):
    """Facts about a session and the decisions of its I/O, identical in both shells (see the module docstring).

    The state lives in `self._core`; the only shell state kept here is the open connection (`_ws`) and
    whether the supervisor has exited (`_done`: no more messages will come).
    """

    def __init__(
        self,
        url: str,
        *,
        session_id: str | None = None,
        audio_format: FormatLike = None,
        options: LiveOptions | None = None,
    ) -> None:
        """`url`: the session's WebSocket URL (from `POST /v2/live`); `audio_format`: its format (the init
        request, a model or a dict, the job's `request_params` or an `AudioFormat`; default 16 kHz 16-bit mono PCM)."""
        if not isinstance(url, str) or not url.startswith(("ws://", "wss://")):
            raise ConfigurationError(
                f"a live session URL starts with ws:// or wss:// (the `url` of POST /v2/live's answer), "
                f"got {mask_url(str(url))!r}"
            )
        if options is not None and not isinstance(options, LiveOptions):
            raise ConfigurationError(f"options must be a LiveOptions or None, got {type(options).__name__}")
        self._url = url
        self._core = LiveProtocol(format_of(audio_format), options, session_id=session_id)
        # Masked in every message, log record (websockets' included) and repr while the session lives.
        register(self, *url_secrets(url), *proxy_credentials(self._core.options.proxy))
        self._ws: Any = None  # the open connection, while one is
        self._done = False  # the supervisor has exited: no more messages
        # The callbacks' dispatcher (a thread or a task) runs from the first `on()` of a started session, or
        # from `start()`, until no message can reach the callbacks any more.
        self._dispatcher_running = False
        # `final_result()` also sees a post_final_transcript that a callback took.
        self._final = FinalResult()
        # One waiting place per `Wake` flag (each shell's own kind, with `notify_all()`), so each change wakes
        # only the threads or coroutines it concerns.
        self._work: Any = None
        self._room: Any = None
        self._news: Any = None
        # Set when opened through a REST client (`_use_rest`): the fallback for the final result.
        self._get_job: Any = None
        self._iter_audio: Any = None
        self._setup_io()

    @abc.abstractmethod
    def _setup_io(self) -> None:
        """The shell's own waiting places and workers (a lock and threads, or tasks)."""

    def _use_rest(self, get_job: Any, iter_audio: Any) -> Self:
        """Let the session fetch its final result over REST when the server refuses the connection after
        stop_recording (`get_job`, and `iter_audio` to check the recording when acknowledgements are missing;
        a bare session has no REST client, so it raises instead)."""
        self._get_job = get_job
        self._iter_audio = iter_audio
        self._core.can_fetch_result = True
        return self

    @classmethod
    def from_init_response(
        cls,
        response: InitStreamingResponse,
        audio_format: FormatLike = None,
        *,
        options: LiveOptions | None = None,
    ) -> Self:
        """Attach to a session created by `POST /v2/live` (no new POST): its `url` and `id`.

        `audio_format` is the session's format: the request it was created with (a `StreamingRequest` or the
        same dict `init_session` took), the job's
        `request_params`, or an `AudioFormat` (default: 16 kHz 16-bit mono PCM, the API's defaults). The
        session must have been created with `messages_config.receive_acknowledgments` on (the default):
        audio is kept until acknowledged.
        """
        return cls(response.url, session_id=str(response.id), audio_format=audio_format, options=options)

    # -- facts -------------------------------------------------------------------------------------------

    @property
    def session_id(self) -> str | None:
        """The session's id (the job's id in the REST API), when known."""
        return self._core.session_id

    @property
    def url(self) -> str:
        """The WebSocket URL with its token masked (the real one is never exposed)."""
        return mask_url(self._url)

    @property
    def audio_format(self) -> AudioFormat:
        """What the session's audio bytes are (encoding, bit depth, sample rate, channels)."""
        return self._core.audio_format

    @property
    def options(self) -> LiveOptions:
        """The session's settings."""
        return self._core.options

    @property
    def state(self) -> LiveState:
        """Where the session stands."""
        return self._core.state

    @property
    def error(self) -> LiveError | None:
        """Why the session failed, once `state` is FAILED."""
        return self._core.error

    @property
    def stats(self) -> LiveStats:
        """A snapshot of the session's counters."""
        return self._core.stats()

    @property
    def bytes_sent(self) -> int:
        """Distinct audio bytes sent at least once."""
        return self._core.stats().bytes_sent

    @property
    def bytes_acknowledged(self) -> int:
        """Audio the server acknowledged, so committed."""
        return self._core.bytes_acknowledged

    @property
    def reconnections(self) -> int:
        """Connections opened after the first."""
        return self._core.stats().reconnections

    def __repr__(self) -> str:
        stats = self._core.stats()
        details: dict[str, Any] = {
            "session_id": self.session_id,
            "url": self.url,
            "state": stats.state.value,
            "bytes_sent": stats.bytes_sent,
            "bytes_acknowledged": stats.bytes_acknowledged,
            "reconnections": stats.reconnections,
        }
        return f"<{type(self).__name__} " + " ".join(f"{key}={value!r}" for key, value in details.items()) + ">"

    def _wake(self, wake: int) -> None:
        """Wake the waiters of each `Wake` bit in `wake`."""
        if wake & Wake.WORK:
            self._work.notify_all()
        if wake & Wake.ROOM:
            self._room.notify_all()
        if wake & Wake.NEWS:
            self._news.notify_all()

    # -- callbacks ---------------------------------------------------------------------------------------

    def on(self, kind: MessageKind, callback: Callback) -> None:
        """Call `callback(message)` for every message of `kind`: a message `type` (``"transcript"``,
        ``"post_final_transcript"``, ...), a message class (`TranscriptMessage`), or ``"*"`` for every message.

        A message that a callback is registered for goes to its callbacks (every matching one, in registration
        order) and not to iteration or `recv()`; the other messages still do. Each side sees its messages in
        the server's order. Register before sending audio: only messages received afterwards are routed.

        Callbacks run one at a time, in order, away from the socket: in `LiveSession` on the session's
        dispatcher thread, in `AsyncLiveSession` in a task of the event loop (a callback may be a coroutine
        function: it is awaited before the next message). A slow callback delays the next ones; the messages
        waiting for it are bounded like unread ones (`LiveOptions.max_unread_messages`). `close()` and the end
        of iteration wait until the callbacks have seen every message (except in a callback, which may read
        the rest of the stream with `recv()` or iteration without waiting for itself). A callback that raises
        fails the session with `LiveCallbackError` (its exception is the `__cause__`): the connection is cut,
        no callback runs any more, and the next call on the session raises it.
        """
        self._core.callbacks.add(kind, callback)
        self._callbacks_added()

    @abc.abstractmethod
    def _callbacks_added(self) -> None:
        """Start the dispatcher if the session is started and it is not running yet."""

    def _start_dispatcher(self) -> bool:
        """Whether the shell starts its dispatcher now (callbacks registered, none running, the session not
        over); the shell then runs `_next_for_callbacks`/`_callback_failed`/`_callbacks_ran`."""
        if self._dispatcher_running or not self._core.callbacks or self._done or self._core.callbacks_failed:
            return False
        self._dispatcher_running = True
        return True

    @property
    def _callback_work_or_end(self) -> bool:
        """Whether the dispatcher waiting for a message may go on: one is there, or none will ever come."""
        core = self._core
        return core.has_messages_for_callbacks or self._done or core.callbacks_failed

    def _next_for_callbacks(self) -> tuple[LiveMessage, list[Callback]] | None:
        """The next message and its callbacks, or None when the dispatcher is done (the session is over and
        every routed message ran, or a callback failed)."""
        item = self._core.next_for_callbacks()
        if item is None:
            self._dispatcher_running = False
        else:
            self._final.feed(item[0])
        return item

    def _callback_failed(self, exc: Exception, message: LiveMessage, callback: Callback) -> Any:
        """A callback raised: the session fails with `LiveCallbackError`; return the open connection, for the
        shell to cut (no handshake)."""
        name = MessageCallbacks.describe(callback)
        error = LiveCallbackError(
            f"the callback {name} (registered with on()) raised {self._masked(exc)}; the session was stopped",
            callback=name,
        ).with_server_message(message)
        error.__cause__ = exc
        self._core.callback_failed(error)
        self._dispatcher_running = False
        return self._ws

    # -- reading (under the sync shell's lock) --------------------------------------------------------------

    def _take_message(self, timeout: float | None) -> LiveMessage:
        """`recv()` after waiting up to `timeout` for `_news_or_end`: the next message; else at the end the
        session's error or `LiveSessionEnded`; else (the wait ran out) `LiveTimeoutError`."""
        message = self._core.next_message()
        if message is not None:
            return message
        if self._news_or_end:
            self._raise_if_failed()
            raise LiveSessionEnded(
                "the live session is over and every message was read (recv() ends where iteration stops)"
            )
        raise LiveTimeoutError(
            f"no live message within {timeout} s (recv(timeout=...)); the session goes on and nothing was lost",
            timeout=timeout,
        )

    # -- the caller's side (under the sync shell's lock) ---------------------------------------------------

    def _offer(self, view: memoryview) -> memoryview:
        """`send_audio`: hand the core what the buffer has room for (raises once the session cannot take
        audio); return the rest, for which the caller waits for room (`Wake.ROOM`)."""
        taken = self._core.write(view)
        if taken:
            self._wake(Wake.WORK)
        return view[taken:]

    def _offer_directly(self, view: memoryview, room: int) -> tuple[memoryview, list[Frame] | None]:
        """`send_audio` in a shell whose caller may write to the socket itself (`room`: the bytes the socket
        takes now without making it wait; 0 when no connection is open): hand the core what the buffer has
        room for, and return the rest with the frames the caller writes now when the core lets it
        (`LiveProtocol.sends_directly`; the write counts as started: `_writes_done` once written, as for the
        writer), else None, the writer being woken for what was taken."""
        core = self._core
        taken = core.write(view)
        if not taken:
            return view, None
        rest = view[taken:] if taken < len(view) else view[:0]
        if room > 0 and self._ws is not None and (frames := core.frames_to_send_directly(room, time.monotonic())):
            return rest, frames
        self._work.notify_all()
        return rest, None

    def _stop_recording(self) -> None:
        """`stop_recording()`: the core raises if the session is over; the writer has the stop to send."""
        self._core.stop_recording()
        self._wake(Wake.WORK)

    def _finish_recording(self) -> int:
        """`close()` and `final_result()`: stop the recording unless it is over or stopping already."""
        return Wake.WORK if self._core.finish_recording() else Wake.NONE

    def _closed_in_time(self, ended: bool, timeout: float | None) -> None:
        """After `close()` waited for the end: raise `LiveTimeoutError` if it did not come, else the session's
        error if it failed."""
        if not ended:
            raise LiveTimeoutError(
                f"the live session did not end within {timeout} s (close(timeout=...)); it goes on: call "
                "close() again to keep waiting, or abort() to give it up",
                timeout=timeout,
            )
        self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        if self._core.error is not None:
            raise self._core.error

    @property
    def _news_or_end(self) -> bool:
        """Whether a reader waiting for a message may go on: one is there, or none will ever come (the
        supervisor exited and the callbacks ran on every message routed to them)."""
        if self._core.has_messages:
            return True
        # A callback that reads the session is the dispatcher itself: waiting for it would never end.
        return self._done and (not self._dispatcher_running or self._in_callback())

    @abc.abstractmethod
    def _in_callback(self) -> bool:
        """Whether the caller is the dispatcher (a callback reading the session)."""

    def _abort(self) -> Any:
        """`abort()`: the core gives up; return the open connection, for the shell to cut (no handshake)."""
        self._core.abort()
        return self._ws

    def _paced_blocks(self, audio: AudioFile, realtime: bool) -> Iterator[tuple[float, bytes]]:
        """`send_file`: each block of `audio` with the seconds to wait before sending it (0 unless `realtime`:
        then frame-sized blocks, paced at the audio's own rate against the start time)."""
        if not realtime:
            for block in audio.blocks():
                yield 0.0, block
            return
        pacer = Pacer(self._core.audio_format.bytes_per_second, time.monotonic())
        sent = 0
        for block in audio.blocks(self._core.frame_bytes):
            yield pacer.delay(sent + len(block), time.monotonic()), block
            sent += len(block)

    # -- the plans -----------------------------------------------------------------------------------------

    def _supervision(self) -> Generator[Step, Any, None]:
        """The supervisor's plan: connect, serve, and on each loss do as the core says (reconnect after a
        backoff, fetch the result over REST, or stop)."""
        core = self._core
        while not core.finished:
            action: Action | None
            try:
                ws = yield CONNECT
            except Exception as exc:
                action = self._connect_failed(exc)
            else:
                action = yield Serve(ws)
            if isinstance(action, FetchResult):
                action = yield from self._result_fetch(action.verify)
            if not isinstance(action, Reconnect):
                return
            yield Pause(action.delay)

    def _connect_failed(self, exc: Exception) -> Action:
        """A connection attempt failed: a transient failure is the reconnect policy's to judge (a refusing
        HTTP status by its value); a malformed URL ends the session."""
        status, detail, retryable = classify_connect_error(exc, self._url)
        if retryable:
            return self._core.connection_failed(time.monotonic(), status=status, detail=detail)
        return self._core.fail(LiveError(f"cannot connect: {detail}"))

    def _result_fetch(self, verify: bool) -> Generator[Step, Any, Action]:
        """The server refused the connection after stop_recording: poll the job until done, then (`verify`:
        acknowledgements are missing) check the recording's length before delivering the result."""
        core = self._core
        session_id = core.session_id
        if not core.can_fetch_result or session_id is None:  # the core asks only when it can
            return core.fail(LiveError("the final result cannot be fetched: no REST client"))
        poll = ResultPoll(time.monotonic(), core.options.result_timeout)
        looked = False
        while True:
            try:
                message = final_message_from_job((yield GetJob(session_id)))
                if verify and (message is not None or not looked):  # right after the refusal, and once done
                    looked = True
                    done = message is not None
                    timeout = max(0.1, poll.deadline - time.monotonic())
                    try:
                        length = yield ReadRecordingLength(session_id, timeout, RecordingHeader(core.audio_format))
                    except Exception:
                        if done:
                            raise
                        length = None  # not readable before the job is done: no failure, read it once done
                    if length is not None and (failed := core.verify_recording(length, done=done)) is not None:
                        return failed
            except LiveError as exc:
                return core.fail(exc)
            except Exception as exc:
                return core.fail(LiveError(f"could not fetch the final result over REST: {self._masked(exc)}"))
            if message is not None:
                return core.result_fetched(message)
            delay = poll.next_delay(time.monotonic())
            if delay is None:
                return core.fail(poll.timed_out(core.options.result_timeout))
            yield Pause(delay)
            if core.finished:  # abort() cut the wait short
                return core.fail(LiveError("aborted"))

    def _crashed(self, exc: BaseException, *, cancelled: bool = False) -> None:
        """A bug in the shell must end the session, not hang the caller: the caller gets the error from its
        next call (masked: the exception may quote the URL). `cancelled`: someone cancelled the async shell's
        task, which ends the session too."""
        if cancelled:
            self._core.fail(LiveError("the live session's task was cancelled"))
            return
        detail = self._masked(exc)
        self._core.fail(LiveError(f"live session failed unexpectedly: {detail}"))
        logger.debug("live session %s failed unexpectedly: %s", self.session_id, detail)

    def _supervisor_exited(self) -> int:
        self._done = True
        self._ws = None
        return Wake.ALL

    def _masked(self, exc: BaseException) -> str:
        return mask_text(f"{type(exc).__name__}: {exc}", self._url)

    # -- one connection (under the sync shell's lock) ------------------------------------------------------

    def _connection_opened(self, ws: object) -> bool:
        """A connection opened: whether to serve it (not when the session was aborted while connecting: the
        shell then cuts it, no closing handshake)."""
        if self._core.finished:
            return False
        self._core.connection_made(time.monotonic())
        self._ws = ws
        return True

    def _read_timeout(self) -> float | None:
        """How long the reader may block in `recv` before it must look at the stall deadline again."""
        return self._core.read_timeout(time.monotonic())

    def _frame_received(self, frame: str | bytes, *, timed: bool = False) -> tuple[int, Closing]:
        """The reader got `frame`: whom to wake, and what to do with the connection.

        `timed`: the shell has a timer of its own that looks at the stall deadline, so only the frame's own
        effect on the stall watch is taken here (`LiveProtocol.frame_handled`), not the deadline (`stall`)."""
        core = self._core
        wake = Wake.ROOM  # an acknowledgement frees room
        if core.receive_frame(frame):
            wake |= Wake.NEWS
        if core.has_pending_frames:  # the probe's acknowledgement lets audio flow again
            wake |= Wake.WORK
        now = time.monotonic()
        if core.frame_handled(now) if timed else core.stall(now):
            return wake, Closing.CUT
        return wake, core.closing

    def _read_timed_out(self) -> Closing:
        """Nothing arrived within `_read_timeout`: cut a stalled connection (it would not answer a handshake)."""
        return Closing.CUT if self._core.stall(time.monotonic()) else Closing.KEEP

    def _connection_detached(self) -> int:
        """The reader is done with the connection: its writer stops."""
        self._ws = None
        return Wake.WORK

    def _connection_ended(self, close_code: int | None, close_reason: str | None) -> Action:
        """The connection is closed: the core decides what comes next."""
        return self._core.connection_lost(time.monotonic(), close_code, mask_text(close_reason or "", self._url))

    def _next_writes(self, ws: object) -> list[Frame] | Idle | None:
        """The writer of connection `ws`: the frames to write now (the write counts as started, so one that
        never finishes is a stall the reader detects), `Idle` when there is nothing yet, or None when this
        writer is done (its connection is gone, or the session is over)."""
        core = self._core
        if self._ws is not ws or core.finished:
            return None
        now = time.monotonic()
        # A write in progress (the caller sending directly, `_offer_directly`) goes first: frames leave in the
        # order the core hands them out, so one writer at a time.
        frames = [] if core.writing else core.frames_to_send(now)
        if not frames:
            deadline = core.next_deadline()
            return Idle(None if deadline is None else max(0.0, deadline - now))
        core.write_started(now)
        return frames

    def _writes_done(self) -> None:
        self._core.write_finished(time.monotonic())

    def _send_failed(self, exc: Exception) -> bool:
        """A write failed: whether the shell cuts the connection. A closed connection is the supervisor's to
        judge (no); anything else breaks this connection, cut so the supervisor reconnects and resends (yes)."""
        if is_connection_closed(exc):
            return False
        logger.info("live session %s: sending failed (%s); reconnecting", self.session_id, self._masked(exc))
        return True
