"""The live WebSocket: audio in, acknowledgements and transcripts out, reconnection, the end of a session."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import time
from collections import deque
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from ._context import MAX_RECEIVED_FRAME_BYTES, ServerContext
from ._faults import WsDrop
from ._json import loads
from ._session import ServerSession

__all__ = ["LIVE_PATH", "websocket_endpoint"]

LIVE_PATH = "/v2/live"  # the WebSocket's path; its `token` query parameter names the session

# The close code a connection gets when a newer connection to the same session replaces it. In the range
# clients treat as final, so two clients sharing one URL do not take the session from each other forever.
SUPERSEDED = 4409
_IDLE_ERROR_CODE = 408  # the error_code of a job whose session timed out before any audio arrived


class Connection:
    """One accepted WebSocket connection of a session."""

    def __init__(self, ctx: ServerContext, session: ServerSession, websocket: WebSocket, drop: WsDrop | None) -> None:
        self.ctx = ctx
        self.session = session
        self.websocket = websocket
        self.drop = drop
        self.received = 0  # audio bytes received on this connection
        self.number = session.connections  # its rank among the session's accepted connections
        self.closed = False
        # Set when a send failed: the peer is gone (or going) for what we send, but what it sent before
        # leaving is still read and acted on, a stop_recording right before its close included.
        self.unwritable = False
        self._send_lock = asyncio.Lock()
        # Frames waiting for a slowed-down acknowledgement: (due time, audio), in arrival order.
        self._pending: deque[tuple[float, bytes]] = deque()
        self._worker: asyncio.Task[None] | None = None

    # -- output ------------------------------------------------------------------------------------------

    async def emit(self, texts: list[str]) -> None:
        """Send messages in order; a batch is never interleaved with another one."""
        if not texts:
            return
        async with self._send_lock:
            for text in texts:
                if self.closed or self.unwritable:
                    return
                try:
                    await self.websocket.send({"type": "websocket.send", "text": text})
                except (WebSocketDisconnect, RuntimeError, OSError):
                    self._unwritable()
                    return

    async def close(self, code: int, reason: str = "") -> None:
        self._discard()
        if self.websocket.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(RuntimeError, OSError):
                await self.websocket.close(code, reason)

    def _unwritable(self) -> None:
        """Sending failed: nothing more is sent, but the frames the peer sent before closing are still read.

        A client may send its last audio and `stop_recording`, then close at once; the failed send of an
        acknowledgement must not make the server skip the stop waiting in the receive queue. The session
        stops using this connection for output (a stop ends it with no connection to tell).
        """
        self.unwritable = True
        if self.session.active is self:
            self.session.active = None

    def _discard(self) -> None:
        """Stop using this connection: audio not yet acknowledged is dropped, never committed."""
        self.closed = True
        self._pending.clear()
        if self._worker is not None and self._worker is not asyncio.current_task():
            self._worker.cancel()
        if self.session.active is self:
            self.session.active = None

    def supersede(self) -> None:
        self._discard()
        self.ctx.spawn(self.close(SUPERSEDED, "a newer connection took over this session"))

    # -- input -------------------------------------------------------------------------------------------

    async def run(self) -> None:
        receive = self.websocket.receive
        try:
            while not self.closed:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    break
                data = message.get("bytes")
                if data is not None:
                    await self.on_audio(data)
                elif message.get("text") is not None:
                    await self.on_text(message["text"])
                # Frames already queued are received (and answered) without the loop ever running otherwise:
                # yield once per frame, so a lost TCP connection is noticed before the next answer is
                # written into it (asyncio logs "socket.send() raised exception" for each such write).
                await asyncio.sleep(0)
        except WebSocketDisconnect:
            pass
        finally:
            self._discard()

    @property
    def stale(self) -> bool:
        """A newer connection was accepted: what this one still receives is not acted on.

        Even once that newer one is gone too: an older connection whose peer vanished may still hold frames
        received before the cut, and committing them after the newer connection's audio would reorder the
        recording.
        """
        return self.number != self.session.connections

    async def on_audio(self, data: bytes) -> None:
        session = self.session
        if self.closed or session.ending or self.stale:
            return
        if len(data) > MAX_RECEIVED_FRAME_BYTES:
            await self.close(1009, "frame over 1 MiB")
            return
        self.received += len(data)
        session.last_activity = time.monotonic()
        if self.drop is not None and self.received >= self.drop.nbytes:
            await self.close(self.drop.close_code, self.drop.reason)
            return
        delay = self.ctx.faults.ack_delay
        if delay > 0 or self._pending:
            self._pending.append((time.monotonic() + delay, data))
            if self._worker is None or self._worker.done():
                self._worker = asyncio.get_running_loop().create_task(self._acknowledge_later())
            return
        await self.commit(data)

    async def commit(self, data: bytes) -> None:
        session = self.session
        room = round(self.ctx.max_duration * session.format.byte_rate) - len(session.audio)
        room -= room % session.format.frame_size
        limit_reached = len(data) >= room
        if limit_reached:
            data = data[: max(room, 0)]
        await self.emit(session.commit(data) if data else [])
        if limit_reached:
            await finish(self.ctx, session, stop_ack=False)

    async def _acknowledge_later(self) -> None:
        while self._pending and not self.closed:
            due, data = self._pending[0]
            wait = due - time.monotonic()
            if wait > 0 and not self.ctx.stopping.is_set():
                await self.ctx.pause(wait)
                continue
            self._pending.popleft()
            if self.session.ending:
                return
            await self.commit(data)

    async def on_text(self, text: str) -> None:
        try:
            message: Any = loads(text)
        except ValueError:
            await self.close(1003, "text frames must be JSON messages")
            return
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "audio_chunk":
            data = message.get("data")
            chunk = data.get("chunk") if isinstance(data, dict) else None
            if not isinstance(chunk, str):
                await self.emit(self.session.reject_chunk("data.chunk must be a base64 string"))
                return
            try:
                audio = base64.b64decode(chunk, validate=True)
            except (binascii.Error, ValueError):
                await self.emit(self.session.reject_chunk("data.chunk is not valid base64"))
                return
            await self.on_audio(audio)
        elif kind == "stop_recording":
            if self._worker is not None and not self._worker.done():
                await asyncio.wait({self._worker})  # audio received before the stop is committed first
            if self.closed or self.stale:
                return
            await finish(self.ctx, self.session, stop_ack=True)
        else:
            await self.close(1003, _reason(f"unknown message type {kind!r}"))


def _reason(text: str) -> str:
    """A close reason within the 123 bytes of UTF-8 a close frame has room for."""
    return text.encode()[:123].decode(errors="ignore")


async def finish(ctx: ServerContext, session: ServerSession, *, stop_ack: bool, idle: bool = False) -> None:
    """End the recording and the session, over the active connection when there is one.

    stop_recording acknowledgement, last final transcripts, (processing delay), post-processing messages,
    `end_recording`, the job turns `done`, `end_session`, close 1000.
    """
    if session.ending:
        return
    session.ending = True
    connection = session.active
    started = time.perf_counter()

    async def emit(texts: list[str]) -> None:
        if connection is not None:
            await connection.emit(texts)

    await emit((session.stop_ack() if stop_ack else []) + session.flush())
    await ctx.pause(ctx.processing_delay)
    await emit(session.post_processing(time.perf_counter() - started))
    error_code = _IDLE_ERROR_CODE if idle and not session.audio else None
    await emit(session.finalize(error_code=error_code))
    if connection is not None:
        await connection.close(1000, "session ended")


async def _watch_idle(ctx: ServerContext, session: ServerSession) -> None:
    """End the session once no audio arrived for `idle_timeout` seconds (connected or not)."""
    while not session.ending:
        wait = session.last_activity + ctx.idle_timeout - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
            continue
        await finish(ctx, session, stop_ack=False, idle=True)


async def websocket_endpoint(ctx: ServerContext, websocket: WebSocket) -> None:
    if ctx.faults.take_ws_refusal():
        await websocket.close(1008)  # before accept: uvicorn answers the handshake with HTTP 403
        return
    session = ctx.store.by_token(websocket.query_params.get("token"))
    if session is None or session.ending or session.finished:
        await websocket.close(1008)
        return
    await websocket.accept()
    if session.active is not None:
        session.active.supersede()
    session.on_accept()
    session.last_activity = time.monotonic()
    if session.watchdog is None:
        session.watchdog = ctx.spawn(_watch_idle(ctx, session))
    flap_code = ctx.faults.take_ws_flap()
    if flap_code is not None:
        await websocket.close(flap_code, "injected flap")
        return
    connection = Connection(ctx, session, websocket, ctx.faults.take_ws_drop())
    if connection.drop is not None and connection.drop.nbytes == 0:
        await connection.close(connection.drop.close_code, connection.drop.reason)
        return
    session.active = connection
    await connection.emit(session.on_active())
    await connection.run()
