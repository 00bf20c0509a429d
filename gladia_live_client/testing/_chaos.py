"""`ChaosProxy`: a TCP proxy on 127.0.0.1 that fails the way networks do, for tests of any TCP client or server.

Each accepted connection is given a `ChaosPlan` (by a list of plans, or a function of the connection) saying
what happens to it in each direction: cut (both directions die at once, abortively, what was in flight is
lost), stall (stop reading and forwarding: the sender's TCP window closes), delay (latency and jitter) and
throttle (bytes per second), each at a byte count or a time. Only the standard library is used: the proxy
runs on its own event loop in a background thread, like `LocalGladiaServer`, so sync and async tests alike
can put it in front of a server.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import random
import socket
import struct
import threading
import time
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from .. import ConfigurationError, ConfigurationTypeError
from ._errors import LocalServerError
from ._threaded import ThreadedService

__all__ = ["ChaosPlan", "ChaosProxy", "ConnectionInfo", "ConnectionRecord", "Flow", "Planner"]

Direction = Literal["up", "down"]  # up: client -> server, down: server -> client
_CHUNK = 64 * 1024
_QUEUE_CHUNKS = 64  # chunks in flight per direction at most (the proxy's own buffering is bounded)
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


def _check_optional(name: str, value: float | None, *, integer: bool = False, positive: bool = False) -> None:
    if value is None:
        return
    if integer and (not isinstance(value, int) or isinstance(value, bool)):
        raise ConfigurationError(f"{name} must be an integer, got {value!r}")
    if not (value > 0 if positive else value >= 0):  # also rejects NaN
        raise ConfigurationError(f"{name} must be {'> 0' if positive else '>= 0'}, got {value!r}")


@dataclass(frozen=True, slots=True)
class Flow:
    """What happens to one direction of a connection. Every field is optional; the default forwards as is.

    Byte counts are counted from the start of the connection in this direction; times from the moment the
    proxy connected it to the target.

    Attributes:
        cut_after_bytes: forward this many bytes, then cut the connection (see `ChaosPlan`).
        cut_after_seconds: cut the connection this long after it started.
        stall_after_bytes: forward this many bytes, then stop reading this direction: the sender's data
            piles up in the kernel buffers until its TCP window is zero and its writes block.
        stall_after_seconds: stop reading and forwarding this direction at that time (data read but not yet
            forwarded stays undelivered).
        latency: seconds added to every chunk's delivery (order is kept, as TCP keeps it).
        jitter: a further delay drawn uniformly from [0, jitter) per chunk, from the proxy's seeded RNG.
        bytes_per_second: forward at most this rate.
    """

    cut_after_bytes: int | None = None
    cut_after_seconds: float | None = None
    stall_after_bytes: int | None = None
    stall_after_seconds: float | None = None
    latency: float = 0.0
    jitter: float = 0.0
    bytes_per_second: float | None = None

    def __post_init__(self) -> None:
        _check_optional("cut_after_bytes", self.cut_after_bytes, integer=True)
        _check_optional("stall_after_bytes", self.stall_after_bytes, integer=True)
        _check_optional("cut_after_seconds", self.cut_after_seconds)
        _check_optional("stall_after_seconds", self.stall_after_seconds)
        _check_optional("latency", self.latency)
        _check_optional("jitter", self.jitter)
        _check_optional("bytes_per_second", self.bytes_per_second, positive=True)

    @property
    def limit(self) -> int | None:
        """Bytes this direction reads at most (the first byte count at which it cuts or stalls)."""
        counts = [count for count in (self.cut_after_bytes, self.stall_after_bytes) if count is not None]
        return min(counts) if counts else None


@dataclass(frozen=True, slots=True)
class ChaosPlan:
    """The faults of one connection: `up` (client to server) and `down` (server to client).

    A **cut** in either direction kills both at once, as a NAT timeout or a crashed middlebox does: nothing
    buffered in the proxy is forwarded, nothing more is read, and both sockets are closed abortively
    (`SO_LINGER` 0, so each peer gets a TCP RST and loses what its kernel had not yet delivered).

    `blackhole`: accept the connection and never answer: no connection to the target, nothing read, until the
    proxy's idle deadline closes it.
    """

    up: Flow = field(default_factory=Flow)
    down: Flow = field(default_factory=Flow)
    blackhole: bool = False

    @classmethod
    def cut(cls, after_bytes: int, direction: Direction = "up") -> ChaosPlan:
        """Cut the connection once `after_bytes` bytes went through in `direction`."""
        return cls.one_way(direction, Flow(cut_after_bytes=after_bytes))

    @classmethod
    def stall(cls, after_bytes: int = 0, direction: Direction = "up") -> ChaosPlan:
        """Stop reading `direction` once `after_bytes` bytes went through (zero window)."""
        return cls.one_way(direction, Flow(stall_after_bytes=after_bytes))

    @classmethod
    def one_way(cls, direction: Direction, flow: Flow) -> ChaosPlan:
        """`flow` in `direction` ("up": client to server, "down": server to client); the other as is."""
        if direction not in ("up", "down"):
            raise ConfigurationError(f"direction must be 'up' (client to server) or 'down', got {direction!r}")
        return cls(up=flow) if direction == "up" else cls(down=flow)

    @classmethod
    def delay(cls, latency: float, jitter: float = 0.0) -> ChaosPlan:
        """`latency` (and `jitter`) seconds added to both directions."""
        flow = Flow(latency=latency, jitter=jitter)
        return cls(up=flow, down=flow)


PASS_THROUGH = ChaosPlan()


@dataclass(frozen=True, slots=True)
class ConnectionInfo:
    """What a planner knows of a new connection.

    `index` counts accepted connections from 0. `head` is the first chunk the client sent (only when the
    proxy was made with `peek=True`; empty otherwise), enough to tell, say, an HTTP request from a WebSocket
    upgrade. `rng` is the proxy's seeded `random.Random` (used on the proxy's thread only).
    """

    index: int
    peer: tuple[str, int]
    head: bytes
    rng: random.Random


Planner = Callable[[ConnectionInfo], "ChaosPlan | None"]


@dataclass(slots=True)
class ConnectionRecord:
    """How one connection went (read it through `ChaosProxy.records()`, which returns copies).

    `outcome`: "open" (still running), "closed" (both sides finished normally), "cut" (a planned cut), "reset"
    (a peer reset it, or the target refused it), "idle" (no byte moved for `idle_timeout`), "refused" (over
    `max_connections`), "stopped" (the proxy stopped). `bytes_up`/`bytes_down`: bytes forwarded each way.
    `stalled`: the directions that stalled.
    """

    index: int
    plan: ChaosPlan
    outcome: str = "open"
    bytes_up: int = 0
    bytes_down: int = 0
    stalled: tuple[Direction, ...] = ()


class _Link:
    """One proxied connection: two sockets, two directions, a deadline for idleness."""

    def __init__(self, proxy: ChaosProxy, record: ConnectionRecord, client: socket.socket) -> None:
        self.proxy = proxy
        self.record = record
        self.client = client
        self.target: socket.socket | None = None
        self.loop = asyncio.get_running_loop()
        self.last_activity = time.monotonic()
        self.ended = asyncio.Event()
        self.outcome = "closed"
        self.eof: set[Direction] = set()
        self.tasks: dict[str, asyncio.Task[None]] = {}

    def finish(self, outcome: str) -> None:
        """End the connection (the first outcome wins)."""
        if not self.ended.is_set():
            self.outcome = outcome
            self.ended.set()

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    async def run(self, head: bytes) -> None:
        plan = self.record.plan
        if plan.blackhole:
            await self._watch_idle()
            return
        try:
            self.target = await self.proxy._connect()
        except OSError:
            self.finish("reset")
            return
        queues: dict[Direction, asyncio.Queue[tuple[float, bytes]]] = {
            "up": asyncio.Queue(_QUEUE_CHUNKS),
            "down": asyncio.Queue(_QUEUE_CHUNKS),
        }
        sockets: dict[Direction, tuple[socket.socket, socket.socket]] = {
            "up": (self.client, self.target),
            "down": (self.target, self.client),
        }
        for direction in ("up", "down"):
            flow: Flow = getattr(plan, direction)
            source, destination = sockets[direction]
            first = head if direction == "up" else b""
            self._spawn(f"read-{direction}", self._read(direction, flow, source, queues[direction], first))
            self._spawn(f"write-{direction}", self._write(direction, flow, destination, queues[direction]))
            for seconds, action in ((flow.cut_after_seconds, "cut"), (flow.stall_after_seconds, "stall")):
                if seconds is not None:
                    self._spawn(f"{action}-{direction}", self._at(seconds, action, direction))
        self._spawn("idle", self._watch_idle())
        await self.ended.wait()

    def _spawn(self, name: str, coroutine: Coroutine[Any, Any, None]) -> None:
        task = self.loop.create_task(coroutine)
        self.tasks[name] = task
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.finish("reset")  # a peer reset its socket (or it failed otherwise): pass the failure on

    async def _read(
        self,
        direction: Direction,
        flow: Flow,
        source: socket.socket,
        queue: asyncio.Queue[tuple[float, bytes]],
        head: bytes,
    ) -> None:
        rng = self.proxy._rng
        limit = flow.limit
        read = 0
        due = 0.0
        chunk_size = _CHUNK
        if flow.bytes_per_second is not None:
            # Small reads keep a throttled stream smooth (about 50 pieces a second).
            chunk_size = max(1, min(_CHUNK, int(flow.bytes_per_second / 50)))
        while True:
            want = chunk_size if limit is None else min(chunk_size, limit - read)
            if want <= 0:
                # At the cut or stall point: read nothing more (the sender's window fills up).
                if flow.stall_after_bytes is not None and read >= flow.stall_after_bytes:
                    self._stalled(direction)
                return
            if head:
                data, head = head[:want], head[want:]
            else:
                data = await self.loop.sock_recv(source, want)
            self.touch()
            if data:
                read += len(data)
                due = max(due, time.monotonic() + flow.latency + (rng.uniform(0, flow.jitter) if flow.jitter else 0))
            await queue.put((due, data))
            if not data:
                return

    async def _write(
        self,
        direction: Direction,
        flow: Flow,
        destination: socket.socket,
        queue: asyncio.Queue[tuple[float, bytes]],
    ) -> None:
        sent = 0
        next_slot = time.monotonic()
        if flow.cut_after_bytes == 0:
            self.finish("cut")
            return
        while True:
            due, data = await queue.get()
            if not data:  # the source's end of stream: pass it on as a FIN
                with contextlib.suppress(OSError):
                    destination.shutdown(socket.SHUT_WR)
                self.eof.add(direction)
                if len(self.eof) == 2:
                    self.finish("closed")
                return
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if flow.bytes_per_second is not None:
                wait = next_slot - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                next_slot = max(next_slot, time.monotonic()) + len(data) / flow.bytes_per_second
            await self.loop.sock_sendall(destination, data)
            self.touch()
            sent += len(data)
            if direction == "up":
                self.record.bytes_up = sent
            else:
                self.record.bytes_down = sent
            if flow.cut_after_bytes is not None and sent >= flow.cut_after_bytes:
                self.finish("cut")
                return

    async def _at(self, seconds: float, action: str, direction: Direction) -> None:
        await asyncio.sleep(seconds)
        if action == "cut":
            self.finish("cut")
        else:
            for name in (f"read-{direction}", f"write-{direction}"):
                task = self.tasks.get(name)
                if task is not None:
                    task.cancel()
            self._stalled(direction)

    def _stalled(self, direction: Direction) -> None:
        if direction not in self.record.stalled:
            self.record.stalled = (*self.record.stalled, direction)

    async def _watch_idle(self) -> None:
        timeout = self.proxy.idle_timeout
        while not self.ended.is_set():
            wait = self.last_activity + timeout - time.monotonic()
            if wait <= 0:
                self.finish("idle")
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.ended.wait(), wait)

    async def close(self) -> None:
        """Cancel every task, then close both sockets: gracefully after a normal end, abortively otherwise."""
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        for sock in (self.client, self.target):
            if sock is not None:
                _close(sock, abort=self.outcome != "closed")
        self.record.outcome = self.outcome


def _close(sock: socket.socket, *, abort: bool) -> None:
    if abort:
        # Linger 0: close() sends RST and drops whatever the kernel still held to send.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class ChaosProxy(ThreadedService):
    """A TCP proxy from `host:port` (127.0.0.1, an ephemeral port) to `target_host:target_port`, with faults.

        plans = [ChaosPlan.cut(after_bytes=10_000), ChaosPlan.delay(0.05, jitter=0.02)]
        with ChaosProxy("127.0.0.1", server_port, plans=plans) as proxy:
            client.connect(proxy.host, proxy.port)  # 1st connection: cut; 2nd: delayed; then as is

    Which plan a connection gets: `planner(info)` when given (a `ChaosPlan`, or None for no fault), else the
    next of `plans` in order, else none. `set_plans()` / `set_planner()` change that while it runs.

    Args:
        target_host, target_port: the server to forward to.
        host, port: where to listen.
        plans: plans for the next connections, in order.
        planner: a function of `ConnectionInfo` choosing each connection's plan (it wins over `plans`).
        seed: seeds `rng` (jitter, and planners that use `info.rng`), so a run can be replayed.
        peek: read the client's first chunk before planning and pass it as `info.head` (for protocols where
            the client speaks first, like HTTP; otherwise the planner would wait for up to `idle_timeout`).
        max_connections: connections open at once at most; more are reset at once (outcome "refused").
        idle_timeout: a connection where no byte moved for this long is reset (outcome "idle"); it is also
            how long a stall or a blackhole lasts at most.
        connect_timeout: how long connecting to the target may take.
        lifetime: the proxy stops by itself after this many seconds (None: only `stop()` stops it).

    Thread-safe: configure and inspect it from any thread; it runs on its own loop in a background thread.
    """

    def __init__(
        self,
        target_host: str,
        target_port: int,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        plans: Iterable[ChaosPlan | None] = (),
        planner: Planner | None = None,
        seed: int | None = 0,
        peek: bool = False,
        max_connections: int = 256,
        idle_timeout: float = 30.0,
        connect_timeout: float = 10.0,
        lifetime: float | None = 3600.0,
    ) -> None:
        if not isinstance(max_connections, int) or max_connections < 1:
            raise ConfigurationError(f"max_connections must be a positive integer, got {max_connections!r}")
        for name, value in (("idle_timeout", idle_timeout), ("connect_timeout", connect_timeout)):
            _check_optional(name, value, positive=True)
        _check_optional("lifetime", lifetime, positive=True)
        self.target = (target_host, target_port)
        self._host = host
        self._port = port
        self.peek = peek
        self.max_connections = max_connections
        self.idle_timeout = idle_timeout
        self.connect_timeout = connect_timeout
        self.lifetime = lifetime
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._plans: list[ChaosPlan | None] = []
        self._planner: Planner | None = None
        self.set_plans(plans)
        if planner is not None:
            self.set_planner(planner)
        self._records: list[ConnectionRecord] = []
        self._counter = itertools.count()
        self._links: set[_Link] = set()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def __repr__(self) -> str:
        state = f"{self._host}:{self.port} -> {self.target[0]}:{self.target[1]}" if self.running else "stopped"
        return f"<ChaosProxy {state}>"

    # -- configuration ---------------------------------------------------------------------------------------

    def set_plans(self, plans: Iterable[ChaosPlan | None]) -> None:
        """Give the next connections these plans, in order (None: no fault); later ones get none.

        Replaces plans not yet used and removes the planner.
        """
        plans = list(plans)
        for plan in plans:
            if plan is not None and not isinstance(plan, ChaosPlan):
                raise ConfigurationTypeError(f"plans must be ChaosPlan or None, got {type(plan).__name__}")
        with self._lock:
            self._plans, self._planner = plans, None

    def set_planner(self, planner: Planner | None) -> None:
        """Choose each new connection's plan with `planner(info)` (None: back to the list of plans)."""
        if planner is not None and not callable(planner):
            raise ConfigurationTypeError("planner must be a callable taking a ConnectionInfo")
        with self._lock:
            self._planner = planner

    def _plan_for(self, info: ConnectionInfo) -> ChaosPlan:
        with self._lock:
            planner = self._planner
            plan = None if planner is not None or not self._plans else self._plans.pop(0)
        if planner is not None:
            plan = planner(info)
            if plan is not None and not isinstance(plan, ChaosPlan):
                raise ConfigurationTypeError(f"the planner returned {type(plan).__name__}, not a ChaosPlan or None")
        return plan or PASS_THROUGH

    # -- addresses -------------------------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        """The port the proxy listens on (once started)."""
        if self._listener is None:
            raise LocalServerError("the proxy has not been started")
        return self._port

    @property
    def address(self) -> tuple[str, int]:
        return self._host, self.port

    def url(self, url: str) -> str:
        """`url` with its host and port replaced by the proxy's (`http://server:8080/x` -> `http://127.0.0.1:p/x`)."""
        parts = urlsplit(url)
        host = f"[{self._host}]" if ":" in self._host else self._host
        netloc = f"{parts.username}@" if parts.username else ""
        return urlunsplit(parts._replace(netloc=f"{netloc}{host}:{self.port}"))

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._ready.is_set()

    # -- inspection ------------------------------------------------------------------------------------------

    def records(self) -> list[ConnectionRecord]:
        """A copy of every connection's record so far, in accept order."""
        with self._lock:
            return [dataclasses.replace(record) for record in self._records]

    def count(self, outcome: str) -> int:
        """Connections that ended with `outcome` ("cut", "closed", "reset", "idle", "refused", "stopped")."""
        return sum(record.outcome == outcome for record in self.records())

    # -- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Listen, serve from a background thread, and return once connections are accepted."""
        if self._thread is not None:
            raise LocalServerError("a ChaosProxy can be started once")
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self._host, self._port))
            listener.listen(1024)
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self._port = listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name=f"chaos-proxy:{self._port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(_START_TIMEOUT) or self._error is not None:
            self.stop()
            raise LocalServerError(f"the chaos proxy did not start: {self._error!r}") from self._error

    def stop(self) -> None:
        """Stop accepting and reset every open connection (outcome "stopped"). Idempotent."""
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: already stopped
                loop.call_soon_threadsafe(stopping.set)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(_STOP_TIMEOUT)

    # -- serving (on the proxy's loop) -----------------------------------------------------------------------

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by start(); a thread has nobody else to tell
            self._error = exc
        finally:
            if self._listener is not None:
                self._listener.close()
            self._ready.set()

    async def _main(self) -> None:
        assert self._listener is not None
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._ready.set()
        accepting = self._loop.create_task(self._accept(self._listener))
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.lifetime)
        finally:
            accepting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await accepting
            for link in list(self._links):
                link.finish("stopped")
            while self._links:
                await asyncio.sleep(0.01)

    async def _accept(self, listener: socket.socket) -> None:
        assert self._loop is not None
        handlers: set[asyncio.Task[None]] = set()
        while True:
            client, peer = await self._loop.sock_accept(listener)
            client.setblocking(False)
            with contextlib.suppress(OSError):
                client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            task = self._loop.create_task(self._handle(client, peer))
            handlers.add(task)
            task.add_done_callback(handlers.discard)

    async def _handle(self, client: socket.socket, peer: tuple[str, int]) -> None:
        index = next(self._counter)
        if len(self._links) >= self.max_connections:
            self._add(ConnectionRecord(index, PASS_THROUGH, outcome="refused"))
            _close(client, abort=True)
            return
        head = b""
        if self.peek:
            assert self._loop is not None
            try:
                head = await asyncio.wait_for(self._loop.sock_recv(client, _CHUNK), self.idle_timeout)
            except (OSError, TimeoutError):
                self._add(ConnectionRecord(index, PASS_THROUGH, outcome="reset"))
                _close(client, abort=True)
                return
        record = ConnectionRecord(index, PASS_THROUGH)
        link = _Link(self, record, client)
        self._links.add(link)
        try:
            record.plan = self._plan_for(ConnectionInfo(index, (peer[0], peer[1]), head, self._rng))
            self._add(record)
            await link.run(head)
        except Exception:
            link.finish("reset")
            raise
        finally:
            await link.close()
            self._links.discard(link)

    def _add(self, record: ConnectionRecord) -> None:
        with self._lock:
            self._records.append(record)

    async def _connect(self) -> socket.socket:
        assert self._loop is not None
        host, port = self.target
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setblocking(False)
        try:
            await asyncio.wait_for(self._loop.sock_connect(sock, (host, port)), self.connect_timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, TimeoutError) as exc:
            _close(sock, abort=True)
            raise OSError(f"cannot connect to {host}:{port}: {exc}") from exc
        return sock
