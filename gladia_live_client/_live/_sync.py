"""`LiveSession`: the blocking shell around `LiveProtocol`, on `websockets.sync`.

Threads, besides the caller's: one supervisor thread (connects, reconnects, writes what the caller does not,
sends the WebSocket pings, enforces the deadlines) and, per connection, `websockets.sync`'s receiving thread,
which hands each message to the core itself (`LiveConnection`); once callbacks are registered with `on()`,
one dispatcher thread runs them. `send_audio` writes its frames from the caller's thread when nothing waits
before them and the socket has room; everything else (a backlog, resends after a reconnection,
`stop_recording`, keepalives, pings) is the supervisor's to write. One thread writes on a connection at a
time (`LiveConnection.busy`), so frames stay in order. The supervisor enforces the stall deadline: it cuts a
caller's write that does not finish, and writes a frame itself only once the socket has room for it, waiting
for that room no longer than the deadline. The threads share the core under one lock (a condition per kind of waiter);
network I/O always happens outside it. Every decision is the core's or `SessionShell`'s: this module only
moves bytes and waits.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, cast

from .._generated.models.post_final_transcript_message import PostFinalTranscriptMessage
from .._generated.models.transcript_message import TranscriptMessage
from .._log import package_logger
from ._callbacks import Callback, MessageKind
from ._messages import LiveMessage
from ._options import LiveOptions
from ._protocol import Action, Closing, Frame
from ._rest_result import HEADER_CHUNK, AudioFetcher, JobFetcher
from ._shell import (
    ABORT_WAIT,
    AudioChunk,
    Connect,
    GetJob,
    Outcome,
    Pause,
    ReadRecordingLength,
    Serve,
    SessionShell,
    Step,
    Wake,
    advance,
    audio_view,
    check_recv_timeout,
    is_transcript,
)
from ._sources import FileKind, PathOrFile, open_audio_file
from ._websockets_adapter import connect_kwargs, sever

if TYPE_CHECKING:
    from ._sync_connection import LiveConnection

__all__ = ["LiveSession"]

logger = package_logger("gladia_live_client.live")
# `send_audio` writes from the caller's thread only audio up to this size (a frame is 3,200 bytes at 16 kHz
# 16-bit mono): one TCP write that a socket with room takes whole. Larger audio is the supervisor's to write.
_DIRECT_BYTES = 64 * 1024
# Once a connection is being closed, how often the supervisor looks whether it is (and cuts it again).
_CLOSING_POLL = 1.0


class _Condition(threading.Condition):
    """A condition that notifies only when a thread waits on it: most changes (an acknowledgement that frees
    room, a frame written) concern no waiting thread, and each notification costs a call and a lock test."""

    def __init__(self, lock: threading.Lock) -> None:
        super().__init__(lock)
        self.waiting = 0  # changed and read with the lock held

    def wait(self, timeout: float | None = None) -> bool:
        self.waiting += 1
        try:
            return super().wait(timeout)
        finally:
            self.waiting -= 1

    def notify_all(self) -> None:
        if self.waiting:
            super().notify_all()


class _Pings:
    """The WebSocket pings of one connection, as `websockets`' own keepalive sends them: one every
    `ping_interval` seconds, the next only once the last is answered; one unanswered for `ping_timeout`
    seconds means the connection is dead."""

    __slots__ = ("_answered", "_deadline", "_interval", "_next", "_sent_at", "_timeout")

    def __init__(self, options: LiveOptions, now: float) -> None:
        self._interval = options.ping_interval
        self._timeout = options.ping_timeout
        self._next = None if self._interval is None else now + self._interval
        self._answered: threading.Event | None = None  # the last ping's, until it is answered
        self._sent_at = 0.0
        self._deadline: float | None = None

    def look(self, now: float) -> tuple[bool, float | None]:
        """Whether to send a ping now, and in how many seconds to look again (None: no need)."""
        if self._next is None:
            return False, None
        if self._answered is not None:
            if not self._answered.is_set():
                wake = [t for t in (self._next, self._deadline) if t is not None and t > now]
                return False, (min(wake) - now) if wake else None
            self._answered = None
        if now >= self._next:
            return True, None
        return False, self._next - now

    def sent(self, answered: threading.Event, now: float) -> None:
        assert self._interval is not None
        self._answered, self._sent_at = answered, now
        self._next = now + self._interval
        self._deadline = None if self._timeout is None else now + self._timeout

    def unanswered(self, now: float, session_id: str | None) -> bool:
        """Whether the last ping went unanswered for `ping_timeout` (the connection is then cut)."""
        if self._answered is None or self._deadline is None or now < self._deadline or self._answered.is_set():
            return False
        logger.info(
            "live session %s: a ping went unanswered for %.1f s; closing the connection",
            session_id,
            now - self._sent_at,
        )
        self._answered = None
        return True


class LiveSession(SessionShell):
    """A live session, blocking API. Use it as a context manager::

        with LiveSession(url, session_id=..., audio_format=request) as session:
            session.send_file("speech.wav", realtime=True)
            session.stop_recording()
            for message in session:
                ...

    The connection opens on entering the block (or on the first `send_*`, `stop_recording()` or iteration);
    audio sent before it is open is buffered. On a clean exit the block closes the session (stop recording,
    wait for the end of the session); on an exception, it aborts it.
    """

    def _setup_io(self) -> None:
        # One lock over the core; one condition per `Wake` flag, so each change wakes only the threads it concerns.
        self._lock = threading.Lock()
        self._work = _Condition(self._lock)
        self._room = _Condition(self._lock)
        self._news = _Condition(self._lock)
        self._ws: LiveConnection | None = None
        # Set by `_use_rest` when opened through GladiaLive: the REST fallback.
        self._get_job: JobFetcher | None = None
        self._iter_audio: AudioFetcher | None = None
        self._thread: threading.Thread | None = None
        self._dispatcher: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Start connecting (idempotent)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._supervise, name="gladia-live", daemon=True)
                self._thread.start()
            self._callbacks_added()
        return self

    def _callbacks_added(self) -> None:
        # With the lock held: `start` holds it, `on` takes it.
        if self._thread is not None and self._start_dispatcher():
            self._dispatcher = threading.Thread(target=self._dispatch, name="gladia-live-callbacks", daemon=True)
            self._dispatcher.start()

    def _in_callback(self) -> bool:
        return threading.current_thread() is self._dispatcher

    def on(self, kind: MessageKind, callback: Callback) -> None:
        with self._lock:
            super().on(kind, callback)

    on.__doc__ = SessionShell.on.__doc__

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def close(self, timeout: float | None = None) -> None:
        """Stop the recording if needed and wait until the session is over (the server's `end_session`).

        Raises the session's error if it failed, `LiveTimeoutError` (also a `TimeoutError`) if it is not over
        within `timeout` seconds (None: as long as the session lasts, which its stall and reconnection bounds
        keep finite); the session then goes on. Unread messages stay readable by iterating.
        """
        self.start()
        with self._lock:
            self._wake(self._finish_recording())
        self._closed_in_time(self._join(timeout), timeout)

    def abort(self) -> None:
        """Close the connection now, without stopping the recording or a closing handshake; unacknowledged
        audio is abandoned. Returns within about a second, even when the peer stopped reading."""
        with self._lock:
            ws = self._abort()
            self._wake(Wake.ALL)
        if ws is not None:
            sever(ws)
        self._join(ABORT_WAIT)

    def _join(self, timeout: float | None) -> bool:
        """Wait for the supervisor, then the dispatcher (the session's error is `self._core.error`); return
        whether both are done."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in (self._thread, self._dispatcher):
            if thread is not None and thread is not threading.current_thread():
                thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return all(thread is None or not thread.is_alive() for thread in (self._thread, self._dispatcher))

    # -- sending -----------------------------------------------------------------------------------------

    def send_audio(self, data: AudioChunk) -> None:
        """Queue audio (any size) to send; blocks while the unacknowledged buffer is full."""
        view = audio_view(data)
        if self._thread is None:  # started once; `on()` starts the dispatcher itself
            self.start()
        core = self._core
        with self._lock:
            small = len(view) <= _DIRECT_BYTES
            while True:
                # Whether frames wait to be written before the audio taken now: the caller then leaves them
                # all to the thread that writes (it would otherwise write a backlog from its own thread).
                ahead = core.has_pending_frames
                view = view[core.write(view) :]
                if not view:
                    break
                self._hand_over()  # what was taken goes out while this thread waits for room
                self._room.wait()
            direct = self._take_direct_writes(small and not ahead)
        if direct is not None:
            ws, frames = direct
            # A write that does not finish is the supervisor's to cut.
            self._release(ws, written=self._write(ws, frames, gated=False))

    def send_stream(self, chunks: Iterable[AudioChunk]) -> int:
        """Send every chunk of `chunks` (e.g. a microphone generator); return the bytes sent."""
        total = 0
        for chunk in chunks:
            view = audio_view(chunk, "send_stream")
            self.send_audio(view)
            total += len(view)
        return total

    def send_file(self, file: PathOrFile, *, realtime: bool = False, kind: FileKind = "auto") -> int:
        """Send a WAV or raw audio file (a path, or a binary file object); return the audio bytes sent.

        A WAV header is checked against the session's format first: a mismatch raises `AudioFormatError`
        and sends nothing. `realtime=True` paces sending at the audio's own rate.
        """
        sent = 0
        with contextlib.closing(open_audio_file(file, self.audio_format, kind)) as audio:
            for delay, block in self._paced_blocks(audio, realtime):
                if delay > 0:
                    time.sleep(delay)
                self.send_audio(block)
                sent += len(block)
        return sent

    def stop_recording(self) -> None:
        """Ask the server to end the recording once all audio sent so far is delivered (idempotent)."""
        self.start()
        with self._lock:
            self._stop_recording()

    # -- receiving ---------------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[LiveMessage]:
        """Every message, in order, until the session is over; then raises the session's error, if any."""
        self.start()
        while True:
            with self._lock:
                while not self._news_or_end:
                    self._news.wait()
                message = self._core.next_message()
            if message is None:
                break
            yield message
        self._raise_if_failed()

    def recv(self, timeout: float | None = None) -> LiveMessage:
        """The next message of the stream iteration reads (each message goes to one of them), waiting at most
        `timeout` seconds (None: as long as the session lasts; 0: only a message already there).

        Raises `LiveTimeoutError` (also a `TimeoutError`) when none came in time: nothing is lost, the session
        goes on. Once the session is over and every message was read, raises the session's error if it failed,
        else `LiveSessionEnded`.
        """
        timeout = check_recv_timeout(timeout)
        self.start()
        with self._lock:
            self._news.wait_for(lambda: self._news_or_end, timeout)
            return self._take_message(timeout)

    def transcripts(self, *, final_only: bool = False) -> Iterator[TranscriptMessage]:
        """Only the `transcript` messages (only the final ones with `final_only`); other messages are skipped."""
        for message in self:
            if is_transcript(message, final_only):
                yield message  # type: ignore[misc]

    def final_transcripts(self) -> Iterator[TranscriptMessage]:
        """Only the final `transcript` messages (`transcripts(final_only=True)`)."""
        return self.transcripts(final_only=True)

    def final_result(self) -> PostFinalTranscriptMessage:
        """Stop the recording if needed, read to the end and return the `post_final_transcript` message."""
        with self._lock:
            self._wake(self._finish_recording())
        for message in self:
            self._final.feed(message)
        return self._final.result()

    # -- the I/O threads ---------------------------------------------------------------------------------

    def _dispatch(self) -> None:
        lock = self._lock
        try:
            while True:
                with lock:
                    while not self._callback_work_or_end:
                        self._news.wait()
                    item = self._next_for_callbacks()
                if item is None:
                    return
                message, callbacks = item
                for callback in callbacks:
                    try:
                        callback(message)
                    except Exception as exc:
                        with lock:
                            ws = self._callback_failed(exc, message, callback)
                        if ws is not None:
                            sever(ws)
                        return
        finally:
            with lock:
                self._dispatcher_running = False
                self._wake(Wake.ALL)

    def _supervise(self) -> None:
        plan = self._supervision()
        outcome = Outcome()
        try:
            while True:
                with self._lock:
                    step = advance(plan, outcome)
                if step is None:
                    return
                try:
                    outcome = Outcome(self._perform(step))
                except Exception as exc:
                    outcome = Outcome(error=exc)
        except BaseException as exc:
            with self._lock:
                self._crashed(exc)
            if not isinstance(exc, Exception):
                raise
            # No re-raise: the caller gets the error from its next call; a re-raise here would only print the
            # traceback, unmasked, through threading.excepthook.
        finally:
            with self._lock:
                self._wake(self._supervisor_exited())

    def _perform(self, step: Step) -> Any:
        if isinstance(step, Connect):
            return self._connect()
        if isinstance(step, Serve):
            with step.ws:  # websockets 17 wants the context manager; exiting closes the socket
                return self._run_connection(step.ws)
        if isinstance(step, Pause):
            with self._lock:  # abort() cuts it short
                self._news.wait_for(lambda: self._core.finished, timeout=step.delay)
            return None
        if isinstance(step, GetJob):
            assert self._get_job is not None  # the core asks only when the REST client is set
            return self._get_job(step.session_id)
        return self._read_recording_length(step)

    def _connect(self) -> LiveConnection:
        from websockets.sync.client import connect  # noqa: PLC0415 -- keep websockets lazy

        from ._sync_connection import LiveConnection  # noqa: PLC0415

        kwargs = connect_kwargs(self._core.options, self._url)
        kwargs["ping_interval"] = None  # the supervisor pings (`_Pings`): no keepalive thread per connection
        factory = functools.partial(LiveConnection, on_message=self._message_arrived, on_end=self._connection_gone)
        # A factory where websockets annotates a class: it only calls it.
        return cast("LiveConnection", connect(self._url, create_connection=cast(Any, factory), **kwargs))

    # -- the receiving thread (websockets') ------------------------------------------------------------------

    def _message_arrived(self, ws: LiveConnection, frame: str | bytes) -> None:
        closing = Closing.KEEP
        try:
            with self._lock:
                if ws is not self._ws:  # not served yet (kept for when it is), or no longer (dropped)
                    if ws.early is not None:
                        ws.early.append(frame)
                    return
                wake, closing = self._frame_received(frame)
                if closing is not Closing.KEEP:
                    wake |= Wake.WORK  # the supervisor closes the connection
                self._wake(wake)
        except Exception as exc:  # a bug here must end the session, not websockets' thread alone
            with self._lock:
                self._crashed(exc)
                self._wake(Wake.ALL)
            closing = Closing.CUT
        if closing is Closing.CUT:
            sever(ws)

    def _connection_gone(self, ws: LiveConnection) -> None:
        with self._lock:
            ws.ended = True
            self._work.notify_all()

    # -- the supervisor, serving one connection ------------------------------------------------------------

    def _run_connection(self, ws: LiveConnection) -> Action | None:
        lock = self._lock
        with lock:
            early, ws.early = ws.early or [], None
            if not self._connection_opened(ws):
                sever(ws)  # aborted while connecting (and the lock is held: no handshake)
                return None
            for frame in early:
                self._wake(self._frame_received(frame)[0])
        pings = _Pings(self._core.options, time.monotonic())
        while True:
            with lock:
                task = self._next_task(ws, pings)
            if task is None:
                break
            task()
        with lock:
            self._wake(self._connection_detached())
            action = self._connection_ended(ws.close_code, ws.close_reason)
            self._wake(Wake.ALL)
        return action

    def _next_task(self, ws: LiveConnection, pings: _Pings) -> Callable[[], None] | None:
        """With the lock held: wait until the open connection needs something, and return it (None: the
        connection is over)."""
        core = self._core
        while not ws.ended:
            now = time.monotonic()
            if ws.closing:
                self._work.wait(_CLOSING_POLL)  # until the receiving thread is done with the connection
                if not ws.ended:
                    sever(ws)
                continue
            closing = core.closing
            if closing is Closing.KEEP and (core.stall(now) or pings.unanswered(now, self.session_id)):
                closing = Closing.CUT
            if closing is not Closing.KEEP:
                ws.closing = True
                return functools.partial(ws.close) if closing is Closing.HANDSHAKE else functools.partial(sever, ws)
            wait = core.read_timeout(now)  # a write that does not finish, an acknowledgement that does not come
            if ws.busy:
                ws.wanted = True
            else:
                frames = self._next_writes(ws)
                if isinstance(frames, list):
                    ws.busy = True
                    return functools.partial(self._write_frames, ws, frames)
                if frames is not None and frames.timeout is not None:  # a keepalive is due then
                    wait = frames.timeout if wait is None else min(wait, frames.timeout)
                if frames is None:  # the session is over: nothing more goes out on this connection
                    ws.closing = True
                    return functools.partial(sever, ws)
                ping, look = pings.look(now)
                if ping:
                    ws.busy = True
                    return functools.partial(self._ping, ws, pings)
                if look is not None:
                    wait = look if wait is None else min(wait, look)
            self._work.wait(wait)
        return None

    def _write_frames(self, ws: LiveConnection, frames: list[Frame]) -> None:
        """The supervisor writes `frames` (it holds `ws.busy`), each once the socket has room for it."""
        self._release(ws, written=self._write(ws, frames, gated=True))

    def _ping(self, ws: LiveConnection, pings: _Pings) -> None:
        try:
            if ws.writable() or self._wait_writable(ws):
                pings.sent(ws.ping(), time.monotonic())
        except Exception as exc:
            self._write_failed(ws, exc)
        self._release(ws)

    def _write(self, ws: LiveConnection, frames: list[Frame], *, gated: bool) -> bool:
        """Write `frames` (one thread at a time: `ws.busy`); return whether they all went out. A failure cuts
        the connection (the supervisor then reconnects and resends).

        `gated` (the supervisor): no other thread watches the supervisor while it is blocked, so it writes a
        frame only once the socket has room for it, and cuts a connection that has none by the stall deadline.
        """
        try:
            for frame in frames:
                if gated and not ws.writable() and not self._wait_writable(ws):
                    return False
                ws.send(frame)
        except Exception as exc:
            self._write_failed(ws, exc)
            return False
        return True

    def _wait_writable(self, ws: LiveConnection) -> bool:
        """The supervisor waits until the socket of `ws` has room; False once the connection is stalled (then
        cut) or no longer to be written on."""
        while True:
            with self._lock:
                if ws.closing or self._ws is not ws or self._core.finished:
                    return False
                now = time.monotonic()
                stalled = self._core.stall(now) is not None
                if stalled:
                    ws.closing = True
                timeout = self._core.read_timeout(now)
            if stalled:
                sever(ws)
                return False
            if ws.writable(timeout):
                return True

    def _write_failed(self, ws: LiveConnection, exc: Exception) -> None:
        """A write on `ws` failed: nothing more is written on it; cut it unless it is closed already (the
        supervisor then reconnects and resends)."""
        with self._lock:
            ws.closing = True
        if self._send_failed(exc):
            sever(ws)

    def _release(self, ws: LiveConnection, *, written: bool = False) -> None:
        """The writing thread is done with `ws` (`written`: its frames all went out); if another one waited,
        the supervisor writes what is left."""
        with self._lock:
            if written and self._ws is ws:
                self._writes_done()
            ws.busy = False
            if ws.wanted:
                ws.wanted = False
                self._work.notify_all()

    # -- the caller writing its own frames -------------------------------------------------------------------

    def _take_direct_writes(self, small: bool) -> tuple[LiveConnection, list[Frame]] | None:
        """With the lock held, after `send_audio` offered audio: the frames the caller writes itself (it then
        holds `ws.busy`), or None after handing them to the supervisor. The caller writes when its audio is
        small, nothing was waiting before it, no other thread writes and the socket has room: the write then
        does not block, and no thread is woken."""
        ws: LiveConnection | None = self._ws
        if ws is None:
            return None
        if small and not ws.busy and not ws.closing and ws.writable():
            frames = self._next_writes(ws)
            if isinstance(frames, list):
                ws.busy = True
                return ws, frames
            return None
        self._hand_over()
        return None

    def _hand_over(self) -> None:
        """With the lock held: frames wait that this thread does not write; the thread writing on the
        connection writes them next, else the supervisor does."""
        ws: LiveConnection | None = self._ws
        if ws is None or not self._core.has_pending_frames:
            return
        if ws.busy:
            ws.wanted = True
        else:
            self._work.notify_all()

    def _read_recording_length(self, step: ReadRecordingLength) -> int:
        assert self._iter_audio is not None  # the core asks only when the REST client is set
        chunks = self._iter_audio(step.session_id, chunk_size=HEADER_CHUNK, deadline=step.timeout)
        with contextlib.closing(chunks):  # the audio itself is not read
            for chunk in chunks:
                length = step.header.feed(chunk)
                if length is not None:
                    return length
        raise step.header.ended()
