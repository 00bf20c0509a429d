"""Fault injection for the local server: armed by tests from any thread, consumed by the server as they fire."""

from __future__ import annotations

import dataclasses
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from .. import InvalidRequestError
from ._chaos import ChaosPlan, ConnectionInfo, Direction, Flow
from ._errors import LocalServerError

__all__ = ["OPERATION_IDS", "Faults", "HttpFault", "TcpTarget", "WsDrop"]

# Which TCP connections a network fault applies to: WebSocket upgrades, plain HTTP requests, or any.
TcpTarget = Literal["websocket", "http", "any"]
_TCP_TARGETS = ("websocket", "http", "any")

OPERATION_IDS = ("init_session", "list_jobs", "get_job", "delete_job", "patch_job", "get_audio")
# Close codes a server may send: RFC 6455 forbids 1004-1006 and 1015 on the wire, 1016-2999 are unassigned.
_SENDABLE_CLOSE_CODES = frozenset(range(1000, 1004)) | frozenset(range(1007, 1015)) | frozenset(range(3000, 5000))


@dataclass(frozen=True, slots=True)
class HttpFault:
    """One armed REST fault: `kind` is "fail", "reset" or "delay"."""

    kind: str
    status: int = 503
    retry_after: float | None = None
    body: bytes | str | dict[str, Any] | None = None
    content_type: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class WsDrop:
    """A WebSocket connection armed to close after `nbytes` audio bytes, before acknowledging them."""

    nbytes: int
    close_code: int
    reason: str


F = TypeVar("F")


@dataclass(slots=True)
class _Armed(Generic[F]):
    fault: F
    remaining: int


def _check_count(count: int | None, *, optional: bool = False) -> None:
    if count is None and optional:
        return
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise InvalidRequestError(f"count must be a positive integer{' or None' if optional else ''}, got {count!r}")


def _check_operation(operation_id: str) -> None:
    if operation_id not in OPERATION_IDS:
        raise InvalidRequestError(f"unknown operation_id {operation_id!r}; expected one of {', '.join(OPERATION_IDS)}")


def _check_close_code(code: int) -> None:
    if code not in _SENDABLE_CLOSE_CODES:
        raise InvalidRequestError(
            f"close code {code!r} cannot be sent by a server (use 1000-1003, 1007-1014 or 3000-4999)"
        )


def _check_seconds(name: str, value: float) -> None:
    if not value >= 0:  # also rejects NaN
        raise InvalidRequestError(f"{name} must be a number of seconds >= 0, got {value!r}")


class Faults:
    """Faults to inject into the next requests and WebSocket connections of a `LocalGladiaServer`.

    Every method is thread-safe and may be called while the server runs. Each call arms a fault that is
    consumed as it fires: REST faults of one operation fire in the order they were armed, one per request
    (`fail_next(op, count=2)` then `reset_next(op)`: two failures, then a reset). REST faults fire before
    authentication and validation, like a gateway in front of the API would; the request still counts in
    `LocalGladiaServer.request_count`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Armed faults with how many times each still fires, oldest first.
        self._http: dict[str, deque[_Armed[HttpFault]]] = {operation: deque() for operation in OPERATION_IDS}
        self._drops: deque[_Armed[WsDrop]] = deque()
        self._refuse: int | None = 0  # None: forever
        self._flap: int | None = 0
        self._flap_code = 1011
        self._ack_delay = 0.0
        self._tcp: deque[_Armed[tuple[TcpTarget, ChaosPlan]]] = deque()
        self._latency = (0.0, 0.0)
        # Set by a server started with network_faults=True: the TCP faults need its front proxy.
        self.network_faults_enabled = False

    # -- arming (public) ---------------------------------------------------------------------------------

    def fail_next(
        self,
        operation_id: str,
        *,
        count: int = 1,
        status: int = 503,
        retry_after: float | None = None,
        body: bytes | str | dict[str, Any] | None = None,
        content_type: str | None = None,
    ) -> None:
        """Answer the next `count` requests of `operation_id` with `status` instead of serving them.

        `retry_after` (seconds) is sent as the `Retry-After` header. `body` defaults to an upstream-shaped
        JSON error (`statusCode`, `message`, `request_id`, `timestamp`, `path`); a dict is sent as JSON, a
        str as text/plain and bytes as application/octet-stream unless `content_type` says otherwise (use
        it to imitate, say, a proxy's HTML page).
        """
        _check_operation(operation_id)
        _check_count(count)
        if not isinstance(status, int) or not 100 <= status <= 599:
            raise InvalidRequestError(f"status must be an HTTP status code (100-599), got {status!r}")
        if retry_after is not None:
            _check_seconds("retry_after", retry_after)
        fault = HttpFault("fail", status=status, retry_after=retry_after, body=body, content_type=content_type)
        self._arm_http(operation_id, fault, count)

    def reset_next(self, operation_id: str, *, count: int = 1) -> None:
        """Close the TCP connection of the next `count` requests of `operation_id` without any response."""
        _check_operation(operation_id)
        _check_count(count)
        self._arm_http(operation_id, HttpFault("reset"), count)

    def delay_next(self, operation_id: str, seconds: float, *, count: int = 1) -> None:
        """Wait `seconds` before serving each of the next `count` requests of `operation_id` (then serve them)."""
        _check_operation(operation_id)
        _check_count(count)
        _check_seconds("seconds", seconds)
        self._arm_http(operation_id, HttpFault("delay", seconds=seconds), count)

    def ws_drop_after(
        self, nbytes: int, *, close_code: int = 1011, reason: str = "injected drop", count: int = 1
    ) -> None:
        """Close the next `count` WebSocket connections after they receive `nbytes` audio bytes.

        Frames are acknowledged as usual while the connection's running byte count stays below `nbytes`; the
        frame that reaches it is not acknowledged: the connection closes with `close_code` and `reason`, and
        that frame (like any audio received but not yet acknowledged) is discarded, so the session's committed
        audio ends at the last acknowledged byte. `nbytes=0` closes right after the handshake.
        """
        _check_count(count)
        if not isinstance(nbytes, int) or nbytes < 0:
            raise InvalidRequestError(f"nbytes must be an integer >= 0, got {nbytes!r}")
        _check_close_code(close_code)
        if len(reason.encode()) > 123:
            raise InvalidRequestError("a close reason holds at most 123 bytes of UTF-8")
        with self._lock:
            self._drops.append(_Armed(WsDrop(nbytes, close_code, reason), count))

    def ws_refuse_handshake(self, *, count: int | None = None) -> None:
        """Refuse the next `count` WebSocket handshakes with HTTP 403 (`None`: every one, until `clear()`)."""
        _check_count(count, optional=True)
        with self._lock:
            self._refuse = count

    def ws_flap(self, *, count: int | None = None, close_code: int = 1011) -> None:
        """Accept the next `count` WebSocket connections, then close each at once with `close_code`.

        `None`: every connection, until `clear()`. Flapping connections count in `websocket_connections`.
        """
        _check_count(count, optional=True)
        _check_close_code(close_code)
        with self._lock:
            self._flap, self._flap_code = count, close_code

    def ws_slow_acks(self, delay: float) -> None:
        """Acknowledge (and so commit) every audio frame `delay` seconds after it arrives (0: at once again).

        Frames keep their order; audio still waiting for its acknowledgement when a connection drops is
        discarded.
        """
        _check_seconds("delay", delay)
        with self._lock:
            self._ack_delay = float(delay)

    # -- network faults (a server started with network_faults=True) -------------------------------------

    def tcp_cut(
        self,
        *,
        after_bytes: int | None = None,
        after_seconds: float | None = None,
        direction: Direction = "down",
        count: int = 1,
        on: TcpTarget = "websocket",
    ) -> None:
        """Cut the next `count` TCP connections (of kind `on`) in both directions at once, abortively.

        At `after_bytes` bytes forwarded in `direction` ("up": client to server, "down": server to client), or
        `after_seconds` after the accept, whichever comes first. What was in flight is lost both ways: audio
        the client sent but the server had not yet read, and messages the server sent (acknowledgements of
        audio it already committed, say) that the client had not yet received. Both peers get a TCP RST.
        """
        if after_bytes is None and after_seconds is None:
            raise InvalidRequestError("give after_bytes or after_seconds (or both)")
        flow = Flow(cut_after_bytes=after_bytes, cut_after_seconds=after_seconds)
        self._arm_tcp(on, ChaosPlan.one_way(direction, flow), count)

    def tcp_stall(
        self,
        *,
        after_bytes: int | None = None,
        after_seconds: float | None = None,
        direction: Direction = "up",
        count: int = 1,
        on: TcpTarget = "websocket",
    ) -> None:
        """Stop reading `direction` of the next `count` connections at `after_bytes` or `after_seconds`.

        With "up" (the default) the server stops reading what the client sends: the client's TCP window
        closes (zero window) and its writes block; what the server sends still arrives. The connection is
        reset once no byte moved for the server's `idle_timeout`, or when the server stops.
        """
        if after_bytes is None and after_seconds is None:
            after_bytes = 0
        flow = Flow(stall_after_bytes=after_bytes, stall_after_seconds=after_seconds)
        self._arm_tcp(on, ChaosPlan.one_way(direction, flow), count)

    def tcp_blackhole(self, *, count: int = 1, on: TcpTarget = "websocket") -> None:
        """Accept the next `count` TCP connections and never answer (no handshake response, nothing at all).

        Each is reset once idle for the server's `idle_timeout`, or when the server stops.
        """
        self._arm_tcp(on, ChaosPlan(blackhole=True), count)

    def tcp_latency(self, latency: float, jitter: float = 0.0) -> None:
        """Delay every chunk of every new TCP connection, both ways, by `latency` plus up to `jitter` seconds.

        Stays until `clear()` or `tcp_latency(0)`; it adds to the other TCP faults.
        """
        _check_seconds("latency", latency)
        _check_seconds("jitter", jitter)
        self._require_network()
        with self._lock:
            self._latency = (float(latency), float(jitter))

    def _arm_tcp(self, on: TcpTarget, plan: ChaosPlan, count: int) -> None:
        _check_count(count)
        if on not in _TCP_TARGETS:
            raise InvalidRequestError(f"on must be one of {', '.join(_TCP_TARGETS)}, got {on!r}")
        self._require_network()
        with self._lock:
            self._tcp.append(_Armed((on, plan), count))

    def _require_network(self) -> None:
        if not self.network_faults_enabled:
            raise LocalServerError(
                "TCP faults need a server started with LocalGladiaServer(network_faults=True), "
                "whose public port is a ChaosProxy in front of the app"
            )

    def clear(self) -> None:
        """Disarm every fault, stop slowing acknowledgements and stop adding latency."""
        with self._lock:
            for queue in self._http.values():
                queue.clear()
            self._drops.clear()
            self._refuse = self._flap = 0
            self._ack_delay = 0.0
            self._tcp.clear()
            self._latency = (0.0, 0.0)

    # -- consumption (by the server) ---------------------------------------------------------------------

    def _arm_http(self, operation_id: str, fault: HttpFault, count: int) -> None:
        with self._lock:
            self._http[operation_id].append(_Armed(fault, count))

    def take_http(self, operation_id: str) -> HttpFault | None:
        with self._lock:
            return _take(self._http[operation_id])

    def take_ws_drop(self) -> WsDrop | None:
        with self._lock:
            return _take(self._drops)

    def take_ws_refusal(self) -> bool:
        with self._lock:
            if self._refuse is None:
                return True
            if self._refuse > 0:
                self._refuse -= 1
                return True
            return False

    def take_ws_flap(self) -> int | None:
        """The close code if this connection must flap, else None."""
        with self._lock:
            if self._flap is None:
                return self._flap_code
            if self._flap > 0:
                self._flap -= 1
                return self._flap_code
            return None

    def plan_connection(self, info: ConnectionInfo) -> ChaosPlan | None:
        """The front proxy's planner: the first armed TCP fault for this kind of connection, plus latency."""
        kind = "websocket" if _is_upgrade(info.head) else "http"
        with self._lock:
            plan: ChaosPlan | None = None
            for armed in self._tcp:
                on, candidate = armed.fault
                if on in ("any", kind):
                    plan = candidate
                    armed.remaining -= 1
                    if armed.remaining == 0:
                        self._tcp.remove(armed)
                    break
            latency, jitter = self._latency
        if latency or jitter:
            plan = plan or ChaosPlan()
            plan = ChaosPlan(
                up=dataclasses.replace(plan.up, latency=latency, jitter=jitter),
                down=dataclasses.replace(plan.down, latency=latency, jitter=jitter),
                blackhole=plan.blackhole,
            )
        return plan

    @property
    def ack_delay(self) -> float:
        with self._lock:
            return self._ack_delay


def _is_upgrade(head: bytes) -> bool:
    """Whether a connection's first bytes are a WebSocket handshake (an HTTP request asking to upgrade)."""
    request, _, _ = head.partition(b"\r\n\r\n")
    return b"\r\nupgrade: websocket" in request.lower().replace(b"upgrade:websocket", b"upgrade: websocket")


def _take(queue: deque[_Armed[F]]) -> F | None:
    if not queue:
        return None
    armed = queue[0]
    armed.remaining -= 1
    if armed.remaining == 0:
        queue.popleft()
    return armed.fault
