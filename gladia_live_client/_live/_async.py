"""`AsyncLiveSession`: the asyncio shell around `LiveProtocol`, on `websockets.asyncio`.

Tasks: a supervisor (connects, reconnects, reads), per connection a writer once it has something to send
that the caller does not write itself, and, once callbacks are registered with `on()`, a dispatcher that runs
them. The event loop serialises access to the core, so there is no lock.

Sending. `send_audio` hands the audio to the core and, when the core allows it
(`LiveProtocol.frames_to_send_directly`: the connection is open and carries audio as usual, no write is in
progress, and the transport takes the frames without waiting), writes the frames itself: `websockets` writes
a frame to the transport at once and waits only to drain a full one, which that room check rules out, so the
caller never waits on the socket. Otherwise it wakes the writer task, which sends what cannot go that way:
the unacknowledged tail and the probe after a reconnection, audio handed over while a write was in progress
or the transport was full, `stop_recording` and keepalives. One write at a time, by whichever of the two: the
frames leave in the order the core hands them out.

Waiting. Coroutines that wait for a change (room in the buffer, a message, something to send) wait on
`_Changes`, without timeouts of their own. Each connection has one timer (`loop.call_later`), at the earliest
of its deadlines: the next look at the stall deadline (at the deadline, and at least every `STALL_POLL` s)
and the writer's keepalive. When it fires it cuts a stalled connection, wakes the writer if a keepalive is
due, and is set again; it moves only when a deadline comes before it. Every decision is the core's or
`SessionShell`'s: this module only moves bytes and waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from .._generated.models.post_final_transcript_message import PostFinalTranscriptMessage
from .._generated.models.transcript_message import TranscriptMessage
from ._messages import LiveMessage
from ._protocol import Action, Closing, Frame
from ._rest_result import HEADER_CHUNK, AsyncAudioFetcher, AsyncJobFetcher
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
from ._websockets_adapter import connect_kwargs, sever_async, write_limit, write_room

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

__all__ = ["AsyncLiveSession"]

_NEVER = float("inf")
# A timer may fire this much before the deadline it was set for (the event loop's clock resolution): a
# keepalive due that soon counts as due.
_EARLY = 0.001


class _Changes:
    """Wake every waiting coroutine when the session's state changes (a lock-free `Condition`)."""

    def __init__(self) -> None:
        # A list, not a set: rarely more than one waiter, and an empty list is a quarter of an empty set.
        self._waiters: list[asyncio.Future[None]] = []

    def notify_all(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait(self, timeout: float | None = None) -> None:
        """Wait for the next `notify_all()`, or at most `timeout` seconds (None: no limit)."""
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._waiters.append(waiter)
        # A bare timer on the future rather than `asyncio.timeout()`: no context manager, no cancellation.
        timer = None if timeout is None else loop.call_later(timeout, _set_result, waiter)
        try:
            await waiter
        finally:
            if waiter in self._waiters:  # not when notify_all() took it
                self._waiters.remove(waiter)
            if timer is not None:
                timer.cancel()


class _Work(_Changes):
    """The writer's waiting place, which also starts the writer: a connection gets one only when something is
    to be sent that the caller does not write itself (most real-time sessions never need one)."""

    def __init__(self, start_writer: Callable[[], None]) -> None:
        super().__init__()
        self._start_writer = start_writer

    def notify_all(self) -> None:
        if not self._waiters:  # no writer waiting: perhaps none yet
            self._start_writer()
        super().notify_all()


def _set_result(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class AsyncLiveSession(SessionShell):
    """A live session, asyncio API. Use it as an async context manager::

        async with AsyncLiveSession(url, session_id=..., audio_format=request) as session:
            await session.send_file("speech.wav", realtime=True)
            await session.stop_recording()
            async for message in session:
                ...

    The connection opens on entering the block (or on the first `send_*`, `stop_recording()` or iteration);
    audio sent before it is open is buffered. On a clean exit the block closes the session (stop recording,
    wait for the end of the session); on an exception, it aborts it.
    """

    def _setup_io(self) -> None:
        # One waiting place per `Wake` flag, so each change wakes only the coroutines it concerns.
        self._work = _Work(self._start_writer)
        self._room = _Changes()
        self._news = _Changes()
        self._ws: ClientConnection | None = None
        # Set by `_use_rest` when opened through AsyncGladiaLive: the REST fallback.
        self._get_job: AsyncJobFetcher | None = None
        self._iter_audio: AsyncAudioFetcher | None = None
        self._task: asyncio.Task[None] | None = None
        self._writer: asyncio.Task[None] | None = None  # the open connection's, once it needs one
        self._dispatcher: asyncio.Task[None] | None = None
        # The open connection's write limit (`write_limit`), and its stall timer with the time it fires at.
        self._write_limit = 0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = _NEVER

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Start connecting (idempotent; needs a running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._supervise(), name="gladia-live")
        self._callbacks_added()
        return self

    def _callbacks_added(self) -> None:
        if self._task is not None and self._start_dispatcher():
            self._dispatcher = self._task.get_loop().create_task(self._dispatch(), name="gladia-live-callbacks")

    def _in_callback(self) -> bool:
        return self._dispatcher is not None and asyncio.current_task() is self._dispatcher

    async def __aenter__(self) -> Self:
        return self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            await self.close()
        else:
            await self.abort()

    async def close(self, timeout: float | None = None) -> None:
        """Stop the recording if needed and wait until the session is over (the server's `end_session`).

        Raises the session's error if it failed, `LiveTimeoutError` (also a `TimeoutError`) if it is not over
        within `timeout` seconds (None: as long as the session lasts, which its stall and reconnection bounds
        keep finite); the session then goes on. Unread messages stay readable by iterating.
        """
        self.start()
        self._wake(self._finish_recording())
        self._closed_in_time(await self._join(timeout), timeout)

    async def abort(self) -> None:
        """Close the connection now, without stopping the recording or a closing handshake; unacknowledged
        audio is abandoned. Returns within about a second, even when the peer stopped reading."""
        ws = self._abort()
        self._wake(Wake.ALL)
        if ws is not None:
            sever_async(ws)
        if not await self._join(ABORT_WAIT):
            for task in (self._task, self._dispatcher):
                if task is not None and task is not asyncio.current_task():
                    task.cancel()
            await self._join(0.1)

    async def _join(self, timeout: float | None) -> bool:
        """Wait for the supervisor without taking its outcome (the session's error is `self._core.error`);
        return whether it is done."""
        current = asyncio.current_task()
        tasks = {task for task in (self._task, self._dispatcher) if task is not None and task is not current}
        if not tasks:
            return True
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        return not pending

    # -- sending -----------------------------------------------------------------------------------------

    async def send_audio(self, data: AudioChunk) -> None:
        """Queue audio (any size) to send; waits while the unacknowledged buffer is full."""
        view = audio_view(data)
        if self._task is None:  # `start()` once; later `on()` calls start the dispatcher themselves
            self.start()
        while True:
            ws = self._ws
            view, frames = self._offer_directly(view, 0 if ws is None else write_room(ws, self._write_limit))
            if frames is not None:
                assert ws is not None  # frames come only for the open connection
                await self._send_directly(ws, frames)
            if not view:
                return
            await self._room.wait()

    async def _send_directly(self, ws: ClientConnection, frames: list[Frame]) -> None:
        """Write `frames` from the caller's task (they fit in the transport's buffer: `send` does not wait),
        as the writer would; a failure is the connection's, not the caller's."""
        try:
            for frame in frames:
                await ws.send(frame)
        except Exception as exc:
            if self._send_failed(exc):
                sever_async(ws)
            return  # the write stays unfinished: nothing more goes out on this connection
        self._writes_done()

    async def send_stream(self, chunks: AsyncIterable[AudioChunk] | Iterable[AudioChunk]) -> int:
        """Send every chunk of `chunks`, an async or plain iterable (e.g. a microphone generator); return the
        bytes sent."""
        total = 0
        if isinstance(chunks, AsyncIterable):
            async for chunk in chunks:
                total += await self._send_chunk(chunk)
        else:
            for chunk in chunks:
                total += await self._send_chunk(chunk)
        return total

    async def _send_chunk(self, chunk: AudioChunk) -> int:
        view = audio_view(chunk, "send_stream")
        await self.send_audio(view)
        return len(view)

    async def send_file(self, file: PathOrFile, *, realtime: bool = False, kind: FileKind = "auto") -> int:
        """Send a WAV or raw audio file (a path, or a binary file object); return the audio bytes sent.

        A WAV header is checked against the session's format first: a mismatch raises `AudioFormatError`
        and sends nothing. `realtime=True` paces sending at the audio's own rate. The file is read with
        blocking reads of at most 64 KiB (local files; for slow sources use `send_stream`).
        """
        sent = 0
        with contextlib.closing(open_audio_file(file, self.audio_format, kind)) as audio:
            for delay, block in self._paced_blocks(audio, realtime):
                if delay > 0:
                    await asyncio.sleep(delay)
                await self.send_audio(block)
                sent += len(block)
        return sent

    async def stop_recording(self) -> None:
        """Ask the server to end the recording once all audio sent so far is delivered (idempotent)."""
        self.start()
        self._stop_recording()

    # -- receiving ---------------------------------------------------------------------------------------

    async def __aiter__(self) -> AsyncIterator[LiveMessage]:
        """Every message, in order, until the session is over; then raises the session's error, if any."""
        self.start()
        while True:
            while not self._news_or_end:
                await self._news.wait()
            message = self._core.next_message()
            if message is None:
                break
            yield message
        self._raise_if_failed()

    async def recv(self, timeout: float | None = None) -> LiveMessage:
        """The next message of the stream iteration reads (each message goes to one of them), waiting at most
        `timeout` seconds (None: as long as the session lasts; 0: only a message already there).

        Raises `LiveTimeoutError` (also a `TimeoutError`) when none came in time: nothing is lost, the session
        goes on. Once the session is over and every message was read, raises the session's error if it failed,
        else `LiveSessionEnded`.
        """
        timeout = check_recv_timeout(timeout)
        self.start()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while not self._news_or_end:
                    await self._news.wait()
        return self._take_message(timeout)

    async def transcripts(self, *, final_only: bool = False) -> AsyncIterator[TranscriptMessage]:
        """Only the `transcript` messages (only the final ones with `final_only`); other messages are skipped."""
        async for message in self:
            if is_transcript(message, final_only):
                yield message  # type: ignore[misc]

    def final_transcripts(self) -> AsyncIterator[TranscriptMessage]:
        """Only the final `transcript` messages (`transcripts(final_only=True)`)."""
        return self.transcripts(final_only=True)

    async def final_result(self) -> PostFinalTranscriptMessage:
        """Stop the recording if needed, read to the end and return the `post_final_transcript` message."""
        self._wake(self._finish_recording())
        async for message in self:
            self._final.feed(message)
        return self._final.result()

    # -- the I/O tasks -----------------------------------------------------------------------------------

    async def _dispatch(self) -> None:
        try:
            while True:
                while not self._callback_work_or_end:
                    await self._news.wait()
                item = self._next_for_callbacks()
                if item is None:
                    return
                message, callbacks = item
                for callback in callbacks:
                    try:
                        result = callback(message)
                        if inspect.isawaitable(result):
                            await result
                    except Exception as exc:
                        ws = self._callback_failed(exc, message, callback)
                        if ws is not None:
                            sever_async(ws)
                        return
        finally:
            self._dispatcher_running = False
            self._wake(Wake.ALL)

    async def _supervise(self) -> None:
        plan = self._supervision()
        outcome = Outcome()
        try:
            while (step := advance(plan, outcome)) is not None:
                try:
                    outcome = Outcome(await self._perform(step))
                except Exception as exc:
                    outcome = Outcome(error=exc)
        except asyncio.CancelledError as exc:  # a task can be cancelled, a thread cannot
            self._crashed(exc, cancelled=True)
            raise
        except Exception as exc:
            self._crashed(exc)
        finally:
            self._wake(self._supervisor_exited())

    async def _perform(self, step: Step) -> Any:
        from websockets.asyncio.client import connect  # noqa: PLC0415 -- keep websockets lazy

        if isinstance(step, Connect):
            return await connect(self._url, **connect_kwargs(self._core.options, self._url))
        if isinstance(step, Serve):
            async with step.ws:  # closed on every way out, a bug or a cancellation included
                return await self._run_connection(step.ws)
        if isinstance(step, Pause):
            loop = asyncio.get_running_loop()
            deadline = loop.time() + step.delay  # abort() cuts it short
            while not self._core.finished and (left := deadline - loop.time()) > 0:
                await self._news.wait(left)
            return None
        if isinstance(step, GetJob):
            assert self._get_job is not None  # the core asks only when the REST client is set
            return await self._get_job(step.session_id)
        return await self._read_recording_length(step)

    async def _run_connection(self, ws: ClientConnection) -> Action | None:
        from websockets.exceptions import ConnectionClosed  # noqa: PLC0415

        if not self._connection_opened(ws):
            sever_async(ws)  # aborted while connecting
            return None
        self._write_limit = write_limit(ws)
        if self._core.has_pending_frames:  # a probe, audio sent before the connection opened, the stop
            self._start_writer()
        self._watch_stalls(ws)
        try:
            while True:
                frame = await ws.recv()  # no timeout: the connection's timer watches the deadlines
                wake, closing = self._frame_received(frame, timed=True)  # the timer looks at the deadline
                self._wake(wake)
                if closing is Closing.HANDSHAKE:
                    await ws.close()
                elif closing is Closing.CUT:
                    sever_async(ws)
                elif (deadline := self._core.stall_deadline()) is not None and deadline < self._timer_at:
                    self._fire_by(ws, deadline)  # a deadline came closer than the timer
        except ConnectionClosed:
            pass
        finally:
            self._wake(self._connection_detached())
            writer, self._writer = self._writer, None
            if writer is not None:
                if not writer.done():
                    writer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await writer
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        action = self._connection_ended(ws.close_code, ws.close_reason)
        self._wake(Wake.ALL)
        return action

    # The connection's one timer fires at the earliest of its deadlines: the next look at the stall deadline
    # (`_read_timeout`: at the deadline, and at least every `STALL_POLL` s, when stalls are watched) and the
    # keepalive (which the writer asks for when it goes idle; while the connection has no writer, the timer
    # looks at it with the stall deadline, and starts the writer when one is due). It is moved only when a deadline comes
    # before it, and re-armed when it fires; the reader and the writer wait without timeouts of their own.

    def _fire_by(self, ws: ClientConnection, at: float) -> None:
        """Have the connection's timer fire no later than `at` (in `time.monotonic()`'s clock)."""
        if self._timer is not None:
            if self._timer_at <= at:
                return
            self._timer.cancel()
        self._timer_at = at
        self._timer = asyncio.get_running_loop().call_later(max(0.0, at - time.monotonic()), self._timer_fired, ws)

    def _watch_stalls(self, ws: ClientConnection) -> None:
        timeout = self._read_timeout()
        if timeout is not None:
            self._fire_by(ws, time.monotonic() + timeout)
        if self._writer is None and (keepalive := self._core.next_deadline()) is not None:
            self._fire_by(ws, keepalive)  # no writer to ask for it

    def _start_writer(self) -> None:
        """Start the open connection's writer unless it has one (`_Work.notify_all`: something to send)."""
        ws = self._ws
        if self._writer is None and ws is not None and not self._core.finished:
            self._writer = asyncio.get_running_loop().create_task(self._write(ws), name="gladia-live-writer")

    def _timer_fired(self, ws: ClientConnection) -> None:
        """Cut a stalled connection (the reader then sees it closed); else wake the writer if its keepalive
        is due, and look at the stall deadline again later."""
        self._timer = None
        self._timer_at = _NEVER
        if self._ws is not ws:
            return
        if self._read_timed_out() is Closing.CUT:
            sever_async(ws)
            return
        keepalive = self._core.next_deadline()
        if keepalive is not None and keepalive <= time.monotonic() + _EARLY:
            self._work.notify_all()  # starts the writer if the connection has none yet
        self._watch_stalls(ws)

    async def _write(self, ws: ClientConnection) -> None:
        try:
            while (frames := self._next_writes(ws)) is not None:
                if isinstance(frames, Idle):
                    if frames.timeout is not None:  # the keepalive is due then: the timer wakes the writer
                        self._fire_by(ws, time.monotonic() + frames.timeout)
                    await self._work.wait()
                    continue
                for frame in frames:
                    await ws.send(frame)
                self._writes_done()
        except Exception as exc:
            if self._send_failed(exc):
                sever_async(ws)

    async def _read_recording_length(self, step: ReadRecordingLength) -> int:
        assert self._iter_audio is not None  # the core asks only when the REST client is set
        chunks = self._iter_audio(step.session_id, chunk_size=HEADER_CHUNK, deadline=step.timeout)
        async with contextlib.aclosing(chunks):  # the audio itself is not read
            async for chunk in chunks:
                length = step.header.feed(chunk)
                if length is not None:
                    return length
        raise step.header.ended()
