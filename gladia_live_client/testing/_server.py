"""`LocalGladiaServer`: the app served by uvicorn in a background thread, with inspection for tests."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import secrets
import socket
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

import uvicorn

from .. import ConfigurationError, InvalidRequestError
from ._app import build_app
from ._chaos import ChaosProxy
from ._context import MAX_RECEIVED_FRAME_BYTES, ServerContext
from ._errors import LocalServerError
from ._faults import OPERATION_IDS, Faults
from ._flow import websocket_protocol
from ._recognizer import DEFAULT_SCRIPT
from ._store import Store
from ._threaded import ThreadedService

__all__ = ["LocalGladiaServer"]

T = TypeVar("T")
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 30.0


class LocalGladiaServer(ThreadedService):
    """A stateful, in-memory Gladia live API (REST and WebSocket on one port) for tests and demos.

    `start()` binds `host:port` (port 0: an ephemeral port), serves from a background thread and returns once
    the server accepts connections; `stop()` shuts it down. It is also a context manager, sync and async:

        with LocalGladiaServer() as server:
            httpx.post(f"{server.base_url}/v2/live", headers={"x-gladia-key": server.api_key}, json={})

    Args:
        host, port: where to listen (127.0.0.1 and an ephemeral port by default).
        api_key: the only key accepted in `x-gladia-key`. When None, any non-empty key is accepted and
            `api_key` holds a generated one to use.
        transcript_script: the words (or sentences) the fake recogniser "hears", in order; a fixed default
            otherwise. See the package README for how audio turns into utterances.
        idle_timeout: seconds without audio after which a session ends by itself (like upstream's ~30 s).
        max_duration: seconds of audio after which the recording ends (upstream: 3 hours).
        processing_delay: seconds of post-processing after the recording ends (the job stays `processing`).
        network_faults: serve the public port through a `ChaosProxy` (`proxy`) in front of the app, so that
            `faults.tcp_cut`, `tcp_stall`, `tcp_blackhole` and `tcp_latency` can fail TCP connections the way
            networks do. Off by default: the proxy costs a copy of every byte.
        public_url: the base URL clients reach the server at when it is not the bound address (a port
            mapping, a proxy): the WebSocket `url` and the list's links are built from it. By default they
            are built from the bound address, never from a request's `Host` header.

    Inspection (`committed_audio`, `job`, `request_count`, ...) is thread-safe: it runs on the server's
    event loop, and directly once the server has stopped (the state stays readable).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        transcript_script: Sequence[str] | None = None,
        idle_timeout: float = 30.0,
        max_duration: float = 3 * 3600,
        processing_delay: float = 0.0,
        network_faults: bool = False,
        public_url: str | None = None,
    ) -> None:
        if public_url is not None:
            parts = urlsplit(public_url)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
                raise ConfigurationError(f"public_url must be http(s)://host[:port], got {public_url!r}")
        if api_key is not None and not api_key:
            raise ConfigurationError("api_key must be a non-empty string, or None to accept any key")
        for name, value in (("idle_timeout", idle_timeout), ("max_duration", max_duration)):
            if not value > 0:
                raise ConfigurationError(f"{name} must be > 0 seconds, got {value!r}")
        if not processing_delay >= 0:
            raise ConfigurationError(f"processing_delay must be >= 0 seconds, got {processing_delay!r}")
        script = tuple(DEFAULT_SCRIPT if transcript_script is None else transcript_script)
        if isinstance(transcript_script, str) or not any(line.split() for line in script):
            raise ConfigurationError("transcript_script must be a sequence of strings holding at least one word")
        self._host = host
        self._port = port
        self._public_url = public_url.rstrip("/") if public_url is not None else None
        self._network_faults = network_faults
        self.proxy: ChaosProxy | None = None
        self.api_key: str = api_key if api_key is not None else "local-" + secrets.token_hex(16)
        self.faults = Faults()
        self.faults.network_faults_enabled = network_faults
        self._ctx = ServerContext(
            store=Store(script),
            faults=self.faults,
            api_key=api_key,
            idle_timeout=idle_timeout,
            max_duration=max_duration,
            processing_delay=processing_delay,
        )
        self._base_url: str | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._uvicorn: uvicorn.Server | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def __repr__(self) -> str:
        # The key is a credential: never in a repr.
        state = self._base_url if self.running else "stopped"
        return f"<LocalGladiaServer {state}>"

    @property
    def base_url(self) -> str:
        """`http://<host>:<port>`, without a trailing slash (once started)."""
        if self._base_url is None:
            raise LocalServerError("the server has not been started")
        return self._base_url

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._ready.is_set()

    # -- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Bind, start serving in a background thread, and return once requests are served."""
        if self._thread is not None:
            raise LocalServerError("a LocalGladiaServer can be started once")
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        # With network faults, the app listens on a private loopback port behind the proxy on the public one.
        app_host, app_port = (
            ("::1" if family == socket.AF_INET6 else "127.0.0.1", 0)
            if self._network_faults
            else (
                self._host,
                self._port,
            )
        )
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when their proto says TCP,
        # and without it every response written in two parts waits ~40 ms for a delayed ACK (Nagle).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((app_host, app_port))
            # Listening before the loop runs: early connections wait in the backlog instead of being refused.
            sock.listen(1024)
        except OSError:
            sock.close()
            raise
        host, port = sock.getsockname()[:2]
        if self._network_faults:
            self.proxy = ChaosProxy(
                host,
                port,
                host=self._host,
                port=self._port,
                planner=self.faults.plan_connection,
                peek=True,  # HTTP: the client speaks first, and its request tells a WebSocket upgrade apart
                max_connections=1024,
                idle_timeout=self._ctx.idle_timeout,
                lifetime=None,
            )
            try:
                self.proxy.start()
            except BaseException:
                sock.close()
                raise
            host, port = self.proxy.address
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        self._base_url = f"http://{shown}:{port}"
        self._ctx.public_url = self._public_url or self._base_url
        app = build_app(self._ctx, on_startup=self._on_startup)
        config = uvicorn.Config(
            app,
            lifespan="on",
            log_level="error",
            access_log=False,
            ws=websocket_protocol(),
            ws_max_size=MAX_RECEIVED_FRAME_BYTES,
            timeout_graceful_shutdown=3,
        )
        self._uvicorn = uvicorn.Server(config)
        self._ctx.http_server = self._uvicorn
        self._thread = threading.Thread(target=self._serve, args=(sock,), name=f"gladia-server:{port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(_START_TIMEOUT) or self._error is not None or not self._thread.is_alive():
            self.stop()
            raise LocalServerError(f"the local Gladia server did not start: {self._error!r}") from self._error

    def _on_startup(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._ready.set()

    def _serve(self, sock: socket.socket) -> None:
        assert self._uvicorn is not None
        try:
            asyncio.run(self._uvicorn.serve(sockets=[sock]))
        except BaseException as exc:  # reported by start(); a thread has nobody else to tell
            self._error = exc
        finally:
            sock.close()
            self._ready.set()

    def stop(self) -> None:
        """Stop serving: open WebSockets are closed, background tasks cancelled. Idempotent."""
        if self.proxy is not None:
            self.proxy.stop()
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # RuntimeError: the loop is closed, the server stopped
                self._loop.call_soon_threadsafe(self._ctx.stopping.set)
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(_STOP_TIMEOUT)

    # -- inspection ------------------------------------------------------------------------------------------

    def _call(self, function: Callable[[], T]) -> T:
        """Run `function` on the server's loop (where the state lives), or directly once it has stopped."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or threading.current_thread() is thread:
            return function()
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(function())
            except BaseException as exc:
                future.set_exception(exc)

        try:
            loop.call_soon_threadsafe(run)
        except RuntimeError:  # the loop is closed: the server stopped
            return function()
        while True:
            try:
                return future.result(timeout=0.5)
            except concurrent.futures.TimeoutError:
                if not thread.is_alive() and not future.done():
                    return function()

    def committed_audio(self, job_id: str) -> bytes:
        """Exactly the acknowledged (committed) audio of a session; KeyError for an unknown or deleted job."""
        return self._call(lambda: bytes(self._ctx.store.require(job_id).audio))

    def job(self, job_id: str) -> dict[str, Any]:
        """The job as `GET /v2/live/{id}` returns it; KeyError for an unknown or deleted job."""

        def snapshot() -> dict[str, Any]:
            job = self._ctx.store.require(job_id).to_json()
            # A deep copy through JSON, so the caller never holds live state of the server.
            copied: dict[str, Any] = json.loads(json.dumps(job))
            return copied

        return self._call(snapshot)

    def request_count(self, operation_id: str) -> int:
        """HTTP requests received for an operation ("init_session", "list_jobs", ...), faulted ones included."""
        if operation_id not in OPERATION_IDS:
            raise InvalidRequestError(
                f"unknown operation_id {operation_id!r}; expected one of {', '.join(OPERATION_IDS)}"
            )
        return self._call(lambda: self._ctx.store.request_counts[operation_id])

    def sessions_created(self) -> int:
        """Successful `POST /v2/live` requests."""
        return self._call(lambda: self._ctx.store.sessions_created)

    def websocket_connections(self, job_id: str) -> int:
        """WebSocket connections accepted for a session (reconnections count; refused handshakes do not)."""
        return self._call(lambda: self._ctx.store.require(job_id).connections)
