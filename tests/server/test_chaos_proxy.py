"""`ChaosProxy` in front of a plain TCP echo server: each fault does what it says, by bytes and by time."""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from gladia_live_client.testing import ChaosPlan, ChaosProxy, ConnectionInfo, Flow

DEADLINE = 10.0


class EchoServer:
    """A threaded TCP echo server that records, per connection, the bytes it received and how it ended."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.received: list[bytearray] = []
        self.endings: list[str] = []
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            got = bytearray()
            self.received.append(got)
            threading.Thread(target=self._echo, args=(conn, got), daemon=True).start()

    def _echo(self, conn: socket.socket, got: bytearray) -> None:
        conn.settimeout(DEADLINE)
        ending = "eof"
        try:
            while data := conn.recv(65536):
                got += data
                conn.sendall(data)
        except ConnectionResetError:
            ending = "reset"
        except OSError as exc:
            ending = type(exc).__name__
        finally:
            conn.close()
            self.endings.append(ending)

    def __enter__(self) -> EchoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.listener.close()
        self._thread.join(DEADLINE)


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    with EchoServer() as server:
        yield server


def _connect(proxy: ChaosProxy) -> socket.socket:
    sock = socket.create_connection(proxy.address, timeout=DEADLINE)
    return sock


def _read_until_end(sock: socket.socket) -> tuple[bytes, str]:
    """Everything received until the peer closes: (bytes, "eof" or "reset")."""
    got = bytearray()
    try:
        while data := sock.recv(65536):
            got += data
    except ConnectionResetError:
        return bytes(got), "reset"
    return bytes(got), "eof"


def _wait_for(predicate: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_without_a_plan_bytes_pass_both_ways_and_close_politely(echo: EchoServer) -> None:
    payload = random.Random(1).randbytes(200_000)
    with ChaosProxy("127.0.0.1", echo.port) as proxy, _connect(proxy) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        assert _read_until_end(sock) == (payload, "eof")
        _wait_for(lambda: proxy.records()[0].outcome == "closed")
        record = proxy.records()[0]
    assert (record.bytes_up, record.bytes_down) == (len(payload), len(payload))
    assert echo.endings == ["eof"]


def test_a_cut_upstream_forwards_exactly_n_bytes_then_resets_both_peers(echo: EchoServer) -> None:
    payload = bytes(50_000)
    with ChaosProxy("127.0.0.1", echo.port, plans=[ChaosPlan.cut(after_bytes=12_345)]) as proxy:
        with _connect(proxy) as sock:
            with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                sock.sendall(payload)
            _, ending = _read_until_end(sock)
        _wait_for(lambda: len(echo.endings) == 1 and proxy.records()[0].outcome != "open")
        record = proxy.records()[0]
    assert ending == "reset"  # an RST, not a FIN: the client cannot mistake it for a clean end
    assert echo.endings == ["reset"]
    assert len(echo.received[0]) == 12_345  # not a byte more reached the server
    assert (record.outcome, record.bytes_up) == ("cut", 12_345)


def test_a_cut_downstream_loses_what_the_server_sent_after_the_count(echo: EchoServer) -> None:
    payload = random.Random(2).randbytes(30_000)
    with ChaosProxy("127.0.0.1", echo.port, plans=[ChaosPlan.cut(after_bytes=1000, direction="down")]) as proxy:
        with _connect(proxy) as sock:
            with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                sock.sendall(payload)
            got, ending = _read_until_end(sock)
        _wait_for(lambda: len(echo.endings) == 1)
    # The server received (and echoed) more than the client got back: the rest was in flight, and is lost.
    assert ending == "reset"
    assert len(got) <= 1000
    assert got == payload[: len(got)]
    assert len(echo.received[0]) > 1000
    assert echo.endings == ["reset"]


def test_a_cut_by_time(echo: EchoServer) -> None:
    plan = ChaosPlan(up=Flow(cut_after_seconds=0.3))
    with ChaosProxy("127.0.0.1", echo.port, plans=[plan]) as proxy, _connect(proxy) as sock:
        started = time.monotonic()
        sock.sendall(b"ping")
        assert sock.recv(4) == b"ping"
        _, ending = _read_until_end(sock)
        assert ending == "reset"
        assert time.monotonic() - started >= 0.3
        _wait_for(lambda: proxy.count("cut") == 1)


def test_a_stall_closes_the_senders_window_and_its_writes_block(echo: EchoServer) -> None:
    plan = ChaosPlan.stall(after_bytes=5000)
    with ChaosProxy("127.0.0.1", echo.port, plans=[plan], idle_timeout=1.0) as proxy:
        with _connect(proxy) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
            sock.setblocking(False)
            sent = 0
            blocked = False
            while sent < 256 * 1024 * 1024:  # bounded: loopback buffers hold a few MiB at most
                try:
                    sent += sock.send(bytes(65536))
                except BlockingIOError:
                    blocked = True
                    break
            assert blocked, f"{sent} bytes written without the window closing"
            _wait_for(lambda: len(echo.received) == 1 and len(echo.received[0]) == 5000)
            time.sleep(0.1)
            assert len(echo.received[0]) == 5000  # the server got the bytes before the stall, no more
            assert proxy.records()[0].stalled == ("up",)
        # Idle for idle_timeout: the proxy resets the connection by itself.
        _wait_for(lambda: proxy.records()[0].outcome == "idle")


def test_a_stall_by_time_stops_forwarding(echo: EchoServer) -> None:
    plan = ChaosPlan(down=Flow(stall_after_seconds=0.2))
    with ChaosProxy("127.0.0.1", echo.port, plans=[plan], idle_timeout=1.0) as proxy, _connect(proxy) as sock:
        sock.sendall(b"before")
        assert sock.recv(6) == b"before"
        time.sleep(0.4)
        sock.sendall(b"after")
        _wait_for(lambda: bytes(echo.received[0]) == b"beforeafter")  # the server got it and echoed it ...
        sock.settimeout(0.5)
        with pytest.raises(TimeoutError):  # ... but nothing comes back any more
            sock.recv(5)
        assert proxy.records()[0].stalled == ("down",)


def test_latency_and_jitter_delay_each_way(echo: EchoServer) -> None:
    plan = ChaosPlan.delay(0.1, jitter=0.05)
    with ChaosProxy("127.0.0.1", echo.port, plans=[plan], seed=3) as proxy, _connect(proxy) as sock:
        started = time.monotonic()
        sock.sendall(b"x")
        assert sock.recv(1) == b"x"
        assert time.monotonic() - started >= 0.2  # 0.1 s up and 0.1 s down at least


def test_throttle_bounds_the_rate(echo: EchoServer) -> None:
    plan = ChaosPlan(up=Flow(bytes_per_second=100_000))
    with ChaosProxy("127.0.0.1", echo.port, plans=[plan]) as proxy, _connect(proxy) as sock:
        started = time.monotonic()
        sock.sendall(bytes(30_000))
        got = 0
        while got < 30_000:
            got += len(sock.recv(65536))
        assert time.monotonic() - started >= 0.25  # 30 kB at 100 kB/s: 0.3 s, less the first burst


def test_a_blackhole_accepts_and_never_answers_then_resets_when_idle(echo: EchoServer) -> None:
    with ChaosProxy("127.0.0.1", echo.port, plans=[ChaosPlan(blackhole=True)], idle_timeout=0.5) as proxy:
        with _connect(proxy) as sock:
            sock.sendall(b"hello?")
            started = time.monotonic()
            _, ending = _read_until_end(sock)
            assert ending == "reset"
            assert time.monotonic() - started >= 0.4
        assert echo.accepted == 0  # the target never saw it
        _wait_for(lambda: proxy.records()[0].outcome == "idle")


def test_a_seeded_planner_sees_each_connection_and_its_first_bytes(echo: EchoServer) -> None:
    seen: list[tuple[int, bytes]] = []

    def planner(info: ConnectionInfo) -> ChaosPlan | None:
        seen.append((info.index, info.head))
        return ChaosPlan.cut(after_bytes=info.rng.randrange(1, 100)) if info.head.startswith(b"cut") else None

    def run(seed: int) -> list[int]:
        with ChaosProxy("127.0.0.1", echo.port, planner=planner, peek=True, seed=seed) as proxy:
            for word in (b"cut-me", b"keep", b"cut-too"):
                with _connect(proxy) as sock:
                    # A cut after a few bytes can reset the connection before this side is done writing (on a
                    # loaded machine the proxy may run first): the planner saw the head either way.
                    with contextlib.suppress(OSError):
                        sock.sendall(word + bytes(200))
                        sock.shutdown(socket.SHUT_WR)
                    _read_until_end(sock)
            _wait_for(lambda: all(record.outcome != "open" for record in proxy.records()))
            return [record.bytes_up for record in proxy.records()]

    first, again = run(5), run(5)
    assert first == again  # the same seed, the same cuts
    assert first[1] == 204
    assert max(first[0], first[2]) < 100
    assert [index for index, _ in seen[:3]] == [0, 1, 2]
    assert seen[0][1].startswith(b"cut-me")


def test_bounded_connections_and_lifetime(echo: EchoServer) -> None:
    proxy = ChaosProxy("127.0.0.1", echo.port, max_connections=2, lifetime=1.0)
    with proxy:
        held = [_connect(proxy) for _ in range(2)]
        for sock in held:
            sock.sendall(b"x")
            assert sock.recv(1) == b"x"
        try:
            with _connect(proxy) as extra:
                assert _read_until_end(extra)[1] == "reset"
        except ConnectionResetError:
            pass  # reset before connect() even returned
        assert proxy.count("refused") == 1
        # The proxy stops by itself after its lifetime, resetting what was open.
        _wait_for(lambda: not proxy.running)
        for sock in held:
            assert _read_until_end(sock)[1] == "reset"
            sock.close()
    assert proxy.count("stopped") == 2


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="cut_after_bytes"):
        Flow(cut_after_bytes=-1)
    with pytest.raises(ValueError, match="bytes_per_second"):
        Flow(bytes_per_second=0)
    with pytest.raises(ValueError, match="direction"):
        ChaosPlan.cut(10, direction="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_connections"):
        ChaosProxy("127.0.0.1", 1, max_connections=0)
    with pytest.raises(TypeError):
        ChaosProxy("127.0.0.1", 1, plans=["cut"])  # type: ignore[list-item]


def test_url_points_a_url_at_the_proxy(echo: EchoServer) -> None:
    with ChaosProxy("127.0.0.1", echo.port) as proxy:
        assert proxy.url("ws://server.example:8080/v2/live?token=t") == f"ws://127.0.0.1:{proxy.port}/v2/live?token=t"
        assert "stopped" not in repr(proxy)
    assert repr(proxy) == "<ChaosProxy stopped>"
