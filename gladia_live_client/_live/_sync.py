"""`LiveSession`: the blocking shell around `LiveProtocol`, on `websockets.sync`.

Threads: the caller's (sending audio, iterating messages), one supervisor thread (connects, reconnects, reads)
and, per connection, one writer thread (sends what the core hands out, keepalives included). They share the
core under one `threading.Condition`; network I/O always happens outside it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Self

from .._generated.models.post_final_transcript_message import PostFinalTranscriptMessage
from .._generated.models.transcript_message import TranscriptMessage
from .._log import package_logger
from ._base import FinalResult, FormatLike, SessionBase, is_transcript
from ._errors import LiveError
from ._messages import LiveMessage
from ._options import LiveOptions
from ._protocol import Action, Fail, FetchResult, Reconnect
from ._rest_result import HEADER_CHUNK, AudioFetcher, JobFetcher, RecordingHeader, ResultPoll, final_message_from_job
from ._sources import FileKind, Pacer, PathOrFile, open_audio_file
from ._transport import classify_connect_error, connect_kwargs, mask_text, poll_timeout, sever

if TYPE_CHECKING:
    from websockets.sync.client import ClientConnection

__all__ = ["LiveSession"]

# abort() waits at most this long for the I/O threads (daemons: they end on their own once the socket is cut).
_ABORT_WAIT = 0.5

logger = package_logger("gladia_live_client.live")


class LiveSession(SessionBase):
    """A live session, blocking API. Use it as a context manager::

        with LiveSession(url, session_id=..., audio_format=request) as session:
            session.send_file("speech.wav", realtime=True)
            session.stop_recording()
            for message in session:
                ...

    The connection opens on `__enter__` (or on the first `send_*`, `stop_recording()` or iteration); audio
    sent before it is open is buffered. On a clean exit the block calls `close()` (stop recording, wait for the
    end of the session); on an exception, `abort()`.
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
        request, the job's `request_params` or an `AudioFormat`; default 16 kHz 16-bit mono PCM)."""
        super().__init__(url, session_id=session_id, audio_format=audio_format, options=options)
        # One lock over the core; three conditions so each change wakes only the threads it concerns.
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)  # the writer: something to send
        self._room = threading.Condition(self._lock)  # senders: room in the buffer, or the end
        self._news = threading.Condition(self._lock)  # readers and waits: a message, or the end
        self._ws: ClientConnection | None = None
        # Set when opened through GladiaLive: the REST fallback.
        self._get_job: JobFetcher | None = None
        self._iter_audio: AudioFetcher | None = None
        self._thread: threading.Thread | None = None
        self._done = False  # the supervisor thread has exited: no more messages

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Start connecting (idempotent)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._supervise, name="gladia-live", daemon=True)
                self._thread.start()
        return self

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

        Raises the session's error if it failed, `TimeoutError` if it is not over within `timeout` seconds
        (None: as long as the session lasts, which its stall and reconnection bounds keep finite). Unread
        messages stay readable by iterating.
        """
        self.start()
        with self._lock:
            if not self._core.finished and not self._core.stop_requested:
                self._core.stop_recording()
                self._work.notify()
        self._join(timeout)
        if self._thread is not None and self._thread.is_alive():
            raise TimeoutError(f"the live session did not end within {timeout} s")
        if self._core.error is not None:
            raise self._core.error

    def abort(self) -> None:
        """Close the connection now, without stopping the recording or a closing handshake; unacknowledged
        audio is abandoned. Returns within about a second, even when the peer stopped reading."""
        with self._lock:
            self._core.abort()
            ws = self._ws
            self._wake_all()
        if ws is not None:
            sever(ws)
        self._join(_ABORT_WAIT)

    def _wake_all(self) -> None:
        self._work.notify_all()
        self._room.notify_all()
        self._news.notify_all()

    def _join(self, timeout: float | None) -> None:
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    # -- sending -----------------------------------------------------------------------------------------

    def send_audio(self, data: bytes | bytearray | memoryview) -> None:
        """Queue audio (any size) to send; blocks while the unacknowledged buffer is full."""
        view = memoryview(data).cast("B")
        self.start()
        with self._lock:
            while True:
                taken = self._core.write(view)  # raises once the session cannot take audio
                if taken:
                    view = view[taken:]
                    self._work.notify()
                if not view:
                    return
                self._room.wait()

    def send_stream(self, chunks: Iterable[bytes | bytearray | memoryview]) -> int:
        """Send every chunk of `chunks` (e.g. a microphone generator); return the bytes sent."""
        total = 0
        for chunk in chunks:
            self.send_audio(chunk)
            total += len(memoryview(chunk).cast("B"))
        return total

    def send_file(self, file: PathOrFile, *, realtime: bool = False, kind: FileKind = "auto") -> int:
        """Send a WAV or raw audio file (a path, or a binary file object); return the audio bytes sent.

        A WAV header is checked against the session's format first: a mismatch raises `AudioFormatError`
        and sends nothing. `realtime=True` paces sending at the audio's own rate.
        """
        audio = open_audio_file(file, self.audio_format, kind)
        sent = 0
        try:
            if not realtime:
                for block in audio.blocks():
                    self.send_audio(block)
                    sent += len(block)
                return sent
            pacer = Pacer(self.audio_format.bytes_per_second, time.monotonic())
            for block in audio.blocks(self._core.frame_bytes):
                time.sleep(pacer.delay(sent + len(block), time.monotonic()))
                self.send_audio(block)
                sent += len(block)
            return sent
        finally:
            audio.close()

    def stop_recording(self) -> None:
        """Ask the server to end the recording once all audio sent so far is delivered (idempotent)."""
        self.start()
        with self._lock:
            self._core.stop_recording()
            self._work.notify()

    # -- receiving ---------------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[LiveMessage]:
        """Every message, in order, until the session is over; then raises the session's error, if any."""
        self.start()
        core = self._core
        while True:
            with self._lock:
                while not core.has_messages and not self._done:
                    self._news.wait()
                message = core.next_message()
            if message is None:
                break
            yield message
        if self._core.error is not None:
            raise self._core.error

    def transcripts(self, *, final_only: bool = False) -> Iterator[TranscriptMessage]:
        """Only the `transcript` messages (only the final ones with `final_only`); other messages are skipped."""
        for message in self:
            if is_transcript(message, final_only):
                yield message  # type: ignore[misc]

    def final_transcripts(self) -> Iterator[TranscriptMessage]:
        return self.transcripts(final_only=True)

    def final_result(self) -> PostFinalTranscriptMessage:
        """Stop the recording if needed, read to the end and return the `post_final_transcript` message."""
        with self._lock:
            if not self._core.finished and not self._core.stop_requested:
                self._core.stop_recording()
                self._work.notify()
        collector = FinalResult()
        for message in self:
            collector.feed(message)
        return collector.result()

    # -- the I/O threads ---------------------------------------------------------------------------------

    def _supervise(self) -> None:
        from websockets.sync.client import connect  # noqa: PLC0415 -- keep websockets lazy

        core, lock = self._core, self._lock
        kwargs = connect_kwargs(core.options, self._url)
        try:
            while True:
                with lock:
                    if core.finished:
                        return
                action: Action | None
                try:
                    ws = connect(self._url, **kwargs)
                except Exception as exc:
                    status, detail, retryable = classify_connect_error(exc, self._url)
                    with lock:
                        if retryable:
                            action = core.connection_failed(time.monotonic(), status=status, detail=detail)
                        else:
                            action = core.fail(LiveError(f"cannot connect: {detail}"))
                else:
                    with ws:  # websockets 17 wants the context manager; exiting closes the socket
                        action = self._run_connection(ws)
                if isinstance(action, FetchResult):
                    action = self._fetch_result(action.verify)
                if not isinstance(action, Reconnect):
                    return
                with lock:  # the backoff; abort() cuts it short
                    self._news.wait_for(lambda: core.finished, timeout=action.delay)
        except BaseException as exc:  # a bug must end the session, not hang the caller
            detail = mask_text(f"{type(exc).__name__}: {exc}", self._url)
            with lock:
                core.fail(LiveError(f"live session failed unexpectedly: {detail}"))
            if not isinstance(exc, Exception):
                raise
            # The caller gets the error from its next call; a re-raise here would only print the traceback,
            # unmasked, through threading.excepthook.
            logger.debug("live session %s failed unexpectedly: %s", self.session_id, detail)
        finally:
            with lock:
                self._done = True
                self._ws = None
                self._wake_all()

    def _run_connection(self, ws: ClientConnection) -> Action | None:
        from websockets.exceptions import ConnectionClosed  # noqa: PLC0415

        core, lock = self._core, self._lock
        with lock:
            if core.finished:  # aborted while connecting: no closing handshake (the lock is held)
                sever(ws)
                return None
            core.connection_made(time.monotonic())
            self._ws = ws
            self._work.notify()
        writer = threading.Thread(target=self._write, args=(ws,), name="gladia-live-writer", daemon=True)
        writer.start()
        watching = core.watches_stalls
        try:
            while True:
                with lock:
                    timeout = poll_timeout(core.stall_deadline(), time.monotonic(), watching)
                try:
                    frame = ws.recv(timeout)
                except TimeoutError:
                    with lock:
                        stalled = core.stall(time.monotonic())
                    if stalled:
                        sever(ws)  # a stalled peer would not answer a closing handshake either
                    continue
                with lock:
                    if core.receive_frame(frame):
                        self._news.notify_all()
                    self._room.notify_all()  # an acknowledgement frees room
                    if core.has_pending_frames:  # the probe's acknowledgement lets audio flow again
                        self._work.notify()
                    if core.stall(time.monotonic()):
                        sever(ws)
                    close = core.should_close
                    # A closing handshake only when the session ended and no write is stuck: websockets would
                    # wait for a blocked write (a peer that stopped reading) before sending the close frame.
                    handshake = core.ended and not core.writing
                if close:
                    if handshake:
                        ws.close()
                    else:  # aborted, failed (unread backlog), or a write is stuck: no handshake to wait for
                        sever(ws)
        except ConnectionClosed:
            pass
        finally:
            with lock:
                self._ws = None
                self._work.notify()
            writer.join()
        with lock:
            action = core.connection_lost(time.monotonic(), ws.close_code, mask_text(ws.close_reason or "", self._url))
            self._wake_all()
        return action

    def _write(self, ws: ClientConnection) -> None:
        from websockets.exceptions import ConnectionClosed  # noqa: PLC0415

        core = self._core
        try:
            while True:
                with self._lock:
                    while True:
                        if self._ws is not ws or core.finished:
                            return
                        now = time.monotonic()
                        frames = core.frames_to_send(now)
                        if frames:
                            break
                        deadline = core.next_deadline()
                        self._work.wait(None if deadline is None else max(0.0, deadline - now))
                    core.write_started(now)  # a write that never finishes is a stall the reader detects
                for frame in frames:
                    ws.send(frame)
                with self._lock:
                    core.write_finished(time.monotonic())
        except ConnectionClosed:
            return  # the supervisor sees the close and decides
        except Exception as exc:
            # Anything else breaks this connection; cut it so the supervisor reconnects and resends.
            logger.info("live session %s: sending failed (%s); reconnecting", self.session_id, exc)
            sever(ws)

    def _fetch_result(self, verify: bool) -> Action:
        """The server refused the connection after stop_recording: poll `get_job` until done, then (`verify`:
        acknowledgements are missing) check the recording's length before delivering the result."""
        core, lock = self._core, self._lock
        get_job, iter_audio = self._get_job, self._iter_audio
        if get_job is None or iter_audio is None or core.session_id is None:  # the core asked only if it could
            with lock:
                return core.fail(LiveError("the final result cannot be fetched: no REST client"))
        poll = ResultPoll(time.monotonic(), core.options.result_timeout)
        looked = False
        while True:
            try:
                message = final_message_from_job(get_job(core.session_id))
                if verify and (message is not None or not looked):  # right after the refusal, and once done
                    looked = True
                    failed = self._check_recording(iter_audio, core.session_id, poll.deadline, message is not None)
                    if failed is not None:
                        return failed
            except LiveError as exc:
                with lock:
                    return core.fail(exc)
            except Exception as exc:
                detail = mask_text(f"{type(exc).__name__}: {exc}", self._url)
                with lock:
                    return core.fail(LiveError(f"could not fetch the final result over REST: {detail}"))
            with lock:
                if message is not None:
                    return core.result_fetched(message)
                delay = poll.next_delay(time.monotonic())
                if delay is None:
                    return core.fail(poll.timed_out(core.options.result_timeout))
                if self._news.wait_for(lambda: core.finished, timeout=delay):  # abort() cuts it short
                    return core.fail(LiveError("aborted"))

    def _check_recording(self, iter_audio: AudioFetcher, session_id: str, deadline: float, done: bool) -> Fail | None:
        """Check the recording's length (`LiveProtocol.verify_recording`). Before the job is done, a recording
        that cannot be read yet is no failure: it is read again once the job is done."""
        try:
            length = self._recording_length(iter_audio, session_id, deadline)
        except Exception:
            if done:
                raise
            return None
        with self._lock:
            return self._core.verify_recording(length, done=done)

    def _recording_length(self, iter_audio: AudioFetcher, session_id: str, deadline: float) -> int:
        """The length of the job's recording, from its WAV header; the download is closed right after it."""
        header = RecordingHeader(self._core.audio_format)
        chunks = iter_audio(session_id, chunk_size=HEADER_CHUNK, deadline=max(0.1, deadline - time.monotonic()))
        with contextlib.closing(chunks):
            for chunk in chunks:
                length = header.feed(chunk)
                if length is not None:
                    return length
        raise header.ended()
