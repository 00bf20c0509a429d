"""`LiveSession`: the blocking shell around `LiveProtocol`, on `websockets.sync`.

Threads: the caller's (sending audio, iterating messages), one supervisor thread (connects, reconnects, reads),
per connection one writer thread (writes what the core hands out, keepalives included), and, once callbacks
are registered with `on()`, one dispatcher thread that runs them. They share the core under one
`threading.Condition`; network I/O always happens outside it. Every decision is the core's or
`SessionShell`'s: this module only moves bytes and waits.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from .._generated.models.post_final_transcript_message import PostFinalTranscriptMessage
from .._generated.models.transcript_message import TranscriptMessage
from ._callbacks import Callback, MessageKind
from ._messages import LiveMessage
from ._protocol import Action, Closing
from ._rest_result import HEADER_CHUNK, AudioFetcher, JobFetcher
from ._shell import (
    ABORT_WAIT,
    AudioChunk,
    Connect,
    GetJob,
    Idle,
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
    from websockets.sync.client import ClientConnection

__all__ = ["LiveSession"]


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
        self._work = threading.Condition(self._lock)
        self._room = threading.Condition(self._lock)
        self._news = threading.Condition(self._lock)
        self._ws: ClientConnection | None = None
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
        self.start()
        with self._lock:
            while view := self._offer(view):
                self._room.wait()

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
                self._news.wait_for(lambda: self._news_or_end)
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
                    self._news.wait_for(lambda: self._callback_work_or_end)
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
        from websockets.sync.client import connect  # noqa: PLC0415 -- keep websockets lazy

        if isinstance(step, Connect):
            return connect(self._url, **connect_kwargs(self._core.options, self._url))
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

    def _run_connection(self, ws: ClientConnection) -> Action | None:
        from websockets.exceptions import ConnectionClosed  # noqa: PLC0415

        lock = self._lock
        with lock:
            if not self._connection_opened(ws):
                sever(ws)  # aborted while connecting (and the lock is held: no handshake)
                return None
            self._wake(Wake.WORK)
        writer = threading.Thread(target=self._write, args=(ws,), name="gladia-live-writer", daemon=True)
        writer.start()
        try:
            while True:
                with lock:
                    timeout = self._read_timeout()
                try:
                    frame = ws.recv(timeout)
                except TimeoutError:
                    with lock:
                        closing = self._read_timed_out()
                else:
                    with lock:
                        wake, closing = self._frame_received(frame)
                        self._wake(wake)
                if closing is Closing.HANDSHAKE:
                    ws.close()
                elif closing is Closing.CUT:
                    sever(ws)
        except ConnectionClosed:
            pass
        finally:
            with lock:
                self._wake(self._connection_detached())
            writer.join()
        with lock:
            action = self._connection_ended(ws.close_code, ws.close_reason)
            self._wake(Wake.ALL)
        return action

    def _write(self, ws: ClientConnection) -> None:
        try:
            while True:
                with self._lock:
                    while isinstance(frames := self._next_writes(ws), Idle):
                        self._work.wait(frames.timeout)
                if frames is None:
                    return
                for frame in frames:
                    ws.send(frame)
                with self._lock:
                    self._writes_done()
        except Exception as exc:
            if self._send_failed(exc):
                sever(ws)

    def _read_recording_length(self, step: ReadRecordingLength) -> int:
        assert self._iter_audio is not None  # the core asks only when the REST client is set
        chunks = self._iter_audio(step.session_id, chunk_size=HEADER_CHUNK, deadline=step.timeout)
        with contextlib.closing(chunks):  # the audio itself is not read
            for chunk in chunks:
                length = step.header.feed(chunk)
                if length is not None:
                    return length
        raise step.header.ended()
