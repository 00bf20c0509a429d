"""`AsyncLiveSession`: the asyncio shell around `LiveProtocol`, on `websockets.asyncio`.

Tasks: a supervisor (connects, reconnects, reads) and, per connection, a writer (sends what the core hands
out, keepalives included). The event loop serialises access to the core, so there is no lock: coroutines
that wait for a change (room in the buffer, a message, a frame to send) wait on `_Changes`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable
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
from ._rest_result import (
    HEADER_CHUNK,
    AsyncAudioFetcher,
    AsyncJobFetcher,
    RecordingHeader,
    ResultPoll,
    final_message_from_job,
)
from ._sources import FileKind, Pacer, PathOrFile, open_audio_file
from ._transport import classify_connect_error, connect_kwargs, mask_text, poll_timeout, sever_async

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

__all__ = ["AsyncLiveSession"]

logger = package_logger("gladia_live_client.live")

AudioChunk = bytes | bytearray | memoryview

# abort() waits at most this long for the supervisor task, then cancels it.
_ABORT_WAIT = 0.5


class _Changes:
    """Wake every waiting coroutine when the session's state changes (a lock-free `Condition`)."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait(self, timeout: float | None = None) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            async with asyncio.timeout(timeout):
                await waiter
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)


class AsyncLiveSession(SessionBase):
    """A live session, asyncio API. Use it as an async context manager::

        async with AsyncLiveSession(url, session_id=..., audio_format=request) as session:
            await session.send_file("speech.wav", realtime=True)
            await session.stop_recording()
            async for message in session:
                ...

    The connection opens on `__aenter__` (or the first `send_*`, `stop_recording()` or iteration); audio
    sent before it is open is buffered. On a clean exit the block awaits `close()` (stop recording, wait
    for the end of the session); on an exception, `abort()`.
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
        # Each change wakes only the coroutines it concerns.
        self._work = _Changes()  # the writer: something to send
        self._room = _Changes()  # senders: room in the buffer, or the end
        self._news = _Changes()  # readers and waits: a message, or the end
        self._ws: ClientConnection | None = None
        # Set when opened through AsyncGladiaLive: the REST fallback.
        self._get_job: AsyncJobFetcher | None = None
        self._iter_audio: AsyncAudioFetcher | None = None
        self._task: asyncio.Task[None] | None = None
        self._done = False

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Start connecting (idempotent; needs a running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._supervise(), name="gladia-live")
        return self

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

        Raises the session's error if it failed, `TimeoutError` if it is not over within `timeout` seconds
        (None: as long as the session lasts, which its stall and reconnection bounds keep finite). Unread
        messages stay readable by iterating.
        """
        self.start()
        if not self._core.finished and not self._core.stop_requested:
            self._core.stop_recording()
            self._work.notify()
        if not await self._wait_done(timeout):
            raise TimeoutError(f"the live session did not end within {timeout} s")
        if self._core.error is not None:
            raise self._core.error

    async def abort(self) -> None:
        """Close the connection now, without stopping the recording or a closing handshake; unacknowledged
        audio is abandoned. Returns within about a second, even when the peer stopped reading."""
        self._core.abort()
        self._wake_all()
        if self._ws is not None:
            sever_async(self._ws)
        if not await self._wait_done(_ABORT_WAIT) and self._task is not None:
            self._task.cancel()
            await self._wait_done(0.1)

    def _wake_all(self) -> None:
        self._work.notify()
        self._room.notify()
        self._news.notify()

    async def _wait_done(self, timeout: float | None = None) -> bool:
        """Wait for the supervisor without taking its outcome (the session's error is `self._core.error`);
        return whether it is done."""
        if self._task is None:
            return True
        done, _ = await asyncio.wait({self._task}, timeout=timeout)
        return bool(done)

    # -- sending -----------------------------------------------------------------------------------------

    async def send_audio(self, data: AudioChunk) -> None:
        """Queue audio (any size) to send; waits while the unacknowledged buffer is full."""
        view = memoryview(data).cast("B")
        self.start()
        while True:
            taken = self._core.write(view)  # raises once the session cannot take audio
            if taken:
                view = view[taken:]
                self._work.notify()
            if not view:
                return
            await self._room.wait()

    async def send_stream(self, chunks: AsyncIterable[AudioChunk] | Iterable[AudioChunk]) -> int:
        """Send every chunk of an async or plain iterable (e.g. a microphone generator); return the bytes sent."""
        total = 0
        if isinstance(chunks, AsyncIterable):
            async for chunk in chunks:
                await self.send_audio(chunk)
                total += len(memoryview(chunk).cast("B"))
        else:
            for chunk in chunks:
                await self.send_audio(chunk)
                total += len(memoryview(chunk).cast("B"))
        return total

    async def send_file(self, file: PathOrFile, *, realtime: bool = False, kind: FileKind = "auto") -> int:
        """Send a WAV or raw audio file (a path, or a binary file object); return the audio bytes sent.

        A WAV header is checked against the session's format first: a mismatch raises `AudioFormatError`
        and sends nothing. `realtime=True` paces sending at the audio's own rate. The file is read with
        blocking reads of at most 64 KiB (local files; for slow sources use `send_stream`).
        """
        audio = open_audio_file(file, self.audio_format, kind)
        sent = 0
        try:
            if not realtime:
                for block in audio.blocks():
                    await self.send_audio(block)
                    sent += len(block)
                return sent
            pacer = Pacer(self.audio_format.bytes_per_second, time.monotonic())
            for block in audio.blocks(self._core.frame_bytes):
                await asyncio.sleep(pacer.delay(sent + len(block), time.monotonic()))
                await self.send_audio(block)
                sent += len(block)
            return sent
        finally:
            audio.close()

    async def stop_recording(self) -> None:
        """Ask the server to end the recording once all audio sent so far is delivered (idempotent)."""
        self.start()
        self._core.stop_recording()
        self._work.notify()

    # -- receiving ---------------------------------------------------------------------------------------

    async def __aiter__(self) -> AsyncIterator[LiveMessage]:
        """Every message, in order, until the session is over; then raises the session's error, if any."""
        self.start()
        core = self._core
        while True:
            while not core.has_messages and not self._done:
                await self._news.wait()
            message = core.next_message()
            if message is None:
                break
            yield message
        if self._core.error is not None:
            raise self._core.error

    async def transcripts(self, *, final_only: bool = False) -> AsyncIterator[TranscriptMessage]:
        """Only the `transcript` messages (only the final ones with `final_only`); other messages are skipped."""
        async for message in self:
            if is_transcript(message, final_only):
                yield message  # type: ignore[misc]

    def final_transcripts(self) -> AsyncIterator[TranscriptMessage]:
        return self.transcripts(final_only=True)

    async def final_result(self) -> PostFinalTranscriptMessage:
        """Stop the recording if needed, read to the end and return the `post_final_transcript` message."""
        if not self._core.finished and not self._core.stop_requested:
            self._core.stop_recording()
            self._work.notify()
        collector = FinalResult()
        async for message in self:
            collector.feed(message)
        return collector.result()

    # -- the I/O tasks -----------------------------------------------------------------------------------

    async def _supervise(self) -> None:
        from websockets.asyncio.client import connect  # noqa: PLC0415 -- keep websockets lazy

        core = self._core
        kwargs = connect_kwargs(core.options, self._url)
        try:
            while not core.finished:
                action: Action | None
                try:
                    ws = await connect(self._url, **kwargs)
                except Exception as exc:
                    status, detail, retryable = classify_connect_error(exc, self._url)
                    if retryable:
                        action = core.connection_failed(time.monotonic(), status=status, detail=detail)
                    else:
                        action = core.fail(LiveError(f"cannot connect: {detail}"))
                else:
                    async with ws:  # closed on every way out, a bug or a cancellation included
                        action = await self._run_connection(ws)
                if isinstance(action, FetchResult):
                    action = await self._fetch_result(action.verify)
                self._wake_all()
                if not isinstance(action, Reconnect):
                    return
                deadline = time.monotonic() + action.delay  # the backoff; abort() cuts it short
                while not core.finished and (left := deadline - time.monotonic()) > 0:
                    await self._news.wait(left)
        except asyncio.CancelledError:
            core.fail(LiveError("the live session's task was cancelled"))
            raise
        except Exception as exc:  # a bug must end the session, not hang the caller
            detail = mask_text(f"{type(exc).__name__}: {exc}", self._url)
            core.fail(LiveError(f"live session failed unexpectedly: {detail}"))
            logger.debug("live session %s failed unexpectedly: %s", self.session_id, detail)
        finally:
            self._done = True
            self._ws = None
            self._wake_all()

    async def _run_connection(self, ws: ClientConnection) -> Action | None:
        from websockets.exceptions import ConnectionClosed  # noqa: PLC0415

        core = self._core
        if core.finished:  # aborted while connecting
            await ws.close()
            return None
        core.connection_made(time.monotonic())
        self._ws = ws
        self._work.notify()
        writer = asyncio.get_running_loop().create_task(self._write(ws), name="gladia-live-writer")
        watching = core.watches_stalls
        try:
            while True:
                try:
                    async with asyncio.timeout(poll_timeout(core.stall_deadline(), time.monotonic(), watching)):
                        frame = await ws.recv()  # cancelling recv() loses no frame
                except TimeoutError:
                    if core.stall(time.monotonic()):
                        sever_async(ws)  # a stalled peer would not answer a closing handshake either
                    continue
                if core.receive_frame(frame):
                    self._news.notify()
                self._room.notify()  # an acknowledgement frees room
                if core.has_pending_frames:  # the probe's acknowledgement lets audio flow again
                    self._work.notify()
                if core.stall(time.monotonic()):
                    sever_async(ws)
                if core.should_close:
                    if core.ended:
                        await ws.close()
                    else:  # aborted, or failed (unread backlog): no handshake to wait for
                        sever_async(ws)
        except ConnectionClosed:
            pass
        finally:
            self._ws = None
            if not writer.done():
                writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        return core.connection_lost(time.monotonic(), ws.close_code, mask_text(ws.close_reason or "", self._url))

    async def _write(self, ws: ClientConnection) -> None:
        from websockets.exceptions import ConnectionClosed  # noqa: PLC0415

        core = self._core
        try:
            while self._ws is ws and not core.finished:
                now = time.monotonic()
                frames = core.frames_to_send(now)
                if not frames:
                    deadline = core.next_deadline()
                    await self._work.wait(None if deadline is None else max(0.0, deadline - now))
                    continue
                core.write_started(now)  # a write that never finishes is a stall the reader detects
                for frame in frames:
                    await ws.send(frame)
                core.write_finished(time.monotonic())
        except ConnectionClosed:
            return  # the supervisor sees the close and decides
        except Exception as exc:
            # Anything else breaks this connection; cut it so the supervisor reconnects and resends.
            logger.info("live session %s: sending failed (%s); reconnecting", self.session_id, exc)
            sever_async(ws)

    async def _fetch_result(self, verify: bool) -> Action:
        """The server refused the connection after stop_recording: poll `get_job` until done, then (`verify`:
        acknowledgements are missing) check the recording's length before delivering the result."""
        core = self._core
        get_job, iter_audio = self._get_job, self._iter_audio
        if get_job is None or iter_audio is None or core.session_id is None:  # the core asked only if it could
            return core.fail(LiveError("the final result cannot be fetched: no REST client"))
        poll = ResultPoll(time.monotonic(), core.options.result_timeout)
        looked = False
        while True:
            try:
                message = final_message_from_job(await get_job(core.session_id))
                if verify and (message is not None or not looked):  # right after the refusal, and once done
                    looked = True
                    failed = await self._check_recording(
                        iter_audio, core.session_id, poll.deadline, message is not None
                    )
                    if failed is not None:
                        return failed
            except LiveError as exc:
                return core.fail(exc)
            except Exception as exc:
                detail = mask_text(f"{type(exc).__name__}: {exc}", self._url)
                return core.fail(LiveError(f"could not fetch the final result over REST: {detail}"))
            if message is not None:
                return core.result_fetched(message)
            delay = poll.next_delay(time.monotonic())
            if delay is None:
                return core.fail(poll.timed_out(core.options.result_timeout))
            await self._news.wait(delay)  # abort() cuts it short
            if core.finished:
                return core.fail(LiveError("aborted"))

    async def _check_recording(
        self, iter_audio: AsyncAudioFetcher, session_id: str, deadline: float, done: bool
    ) -> Fail | None:
        """Check the recording's length (`LiveProtocol.verify_recording`). Before the job is done, a recording
        that cannot be read yet is no failure: it is read again once the job is done."""
        try:
            length = await self._recording_length(iter_audio, session_id, deadline)
        except Exception:
            if done:
                raise
            return None
        return self._core.verify_recording(length, done=done)

    async def _recording_length(self, iter_audio: AsyncAudioFetcher, session_id: str, deadline: float) -> int:
        """The length of the job's recording, from its WAV header; the download is closed right after it."""
        header = RecordingHeader(self._core.audio_format)
        chunks = iter_audio(session_id, chunk_size=HEADER_CHUNK, deadline=max(0.1, deadline - time.monotonic()))
        async with contextlib.aclosing(chunks):
            async for chunk in chunks:
                length = header.feed(chunk)
                if length is not None:
                    return length
        raise header.ended()
