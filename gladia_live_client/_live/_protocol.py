"""The live session's protocol core: every decision, no I/O, no clock, no threads.

`LiveProtocol` is driven by a shell (`_sync.py`, `_async.py`) that owns the socket and the clock, in the
style of h11 and websockets' Sans-I/O layers: the shell reports what happened (audio from the caller, a
connection made or lost, a frame received, the time) and asks what to do (which frames to send, whether and
when to reconnect, what to give the caller). Everything here is deterministic given the inputs and the
random source, which is what the property-based tests rely on.

Client offsets are byte positions in the session's audio stream as the caller wrote it. Three cursors move
forward: `acknowledged <= send_offset <= written`. Every byte stays in the buffer until the server
acknowledged it on a connection that carried it; each new connection starts at the acknowledged offset (the
unacknowledged tail first, then new audio, then `stop_recording` again if the server had not acknowledged it).

The server numbers audio in its own recording, which can run ahead of the client's offsets: when a connection
is cut in both directions, acknowledgements the server sent after committing audio are lost, and what the
server committed is sent again. So the two numberings are kept apart. For each connection,
`server offset = client offset + delta` (delta is 0 until a duplicate enters the server's recording, and then
it is exactly the number of duplicated bytes there). An acknowledgement is mapped into client offsets and
releases audio only within what the current connection carried; anything else is an anomaly: counted
(`LiveStats.ack_anomalies`), logged once per connection, never acted on.

Resynchronisation. When a connection ends with audio sent beyond the acknowledged offset `C` (the server may
have committed some of it, its acknowledgements lost), the next connection first sends a probe: the one sample
frame at `C` (`block_align` bytes, fewer only for a trailing half sample after `stop_recording`), and nothing
else (keepalives aside) until the probe's acknowledgement `[R, R + q)` arrives. `R` is the length of the
server's recording; `u = R - (C + delta)` bytes arrived after `C`'s position in it: a prefix `k` of the audio
the lost connection carried, plus any earlier probes whose connection was cut before their acknowledgement
(each may or may not have been committed). The session assumes as many such probes as possible, which gives
the smallest `k` consistent with `R` (never more than the true `k`, so nothing is released that the server
may not have). Then:

- `u == 0`: the server had nothing more; the probe was simply the next sample. Continue after it.
- `0 < u` and `k <= carried - C`: release `[C, C + k)` (counted in `bytes_recovered`), resume at `C + k`, and map
  `R + q` to `C + k`. The probe is a duplicate in the server's recording, and so is anything the smallest-`k`
  choice resends: at most one sample per reconnection, counted exactly in `bytes_duplicated` (the new delta
  minus the old one), with the time shift it causes in later server timestamps (`duplicated_seconds`).
- otherwise (`u < 0`, `k` beyond what was sent, or an acknowledgement that is not the probe's size), the server
  does not behave as assumed: the probe is taken as new audio at `R` (released, the mapping taken from the
  server), the session goes on, and `resync_failures` counts it, with a WARNING. Audio may then be duplicated
  or lost without being counted.
- a negative acknowledgement of the probe: nothing is released. If `stop_recording` had been sent on a lost
  connection, the server refuses audio because it had the stop: only `stop_recording` is sent again. Otherwise
  everything from `C` is resent and the mapping is learnt again from the next acknowledgement (it may duplicate
  what the server kept). Both count in `resync_failures`.

The end, when acknowledgements were lost. If the server refuses the connection after `stop_recording` was sent
(it may have committed everything and ended the session, the acknowledgements lost with the connection),
a shell with a REST client reads the length of the job's recording (right after the refusal, and once the
job is done); `verify_recording` releases the buffer only if, once the job is done, that length is exactly
where the audio ends in the server's numbering, counting the lost probes as above, and fails with
`LiveSessionIncomplete` otherwise (at the first look already when the recording is short).

This assumes of the server: `byte_range` is absolute in the session's recording (across connections); it
commits a prefix of what each connection carried, in order, and acknowledges it in order; a one-sample frame
is acknowledged on its own (its `byte_range` spans exactly its bytes); an empty frame adds no audio (its
acknowledgement, if any, spans nothing and is ignored). With acknowledgements switched off nothing can be
released, so the buffer fills; with a server that acknowledges in another numbering, the anomalies say so.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

from .._exceptions import ConfigurationError
from .._log import package_logger
from ._audio import AudioFormat
from ._backlog import CALLBACKS_TOO_SLOW, MessageBacklog
from ._buffer import AudioBuffer
from ._callbacks import Callback, MessageCallbacks
from ._errors import (
    LiveConnectionError,
    LiveError,
    LiveHandshakeRejected,
    LiveSessionClosed,
    LiveSessionIncomplete,
    LiveStateError,
)
from ._messages import (
    GenericMessage,
    LiveMessage,
    ack_byte_range,
    decode_server_frame,
    encode_keepalive,
    encode_stop_recording,
    type_server_message,
)
from ._options import LiveOptions
from ._policy import is_terminal_close, is_terminal_handshake_status

__all__ = [
    "Action",
    "Closing",
    "Fail",
    "FetchResult",
    "Finish",
    "Frame",
    "LiveProtocol",
    "LiveState",
    "LiveStats",
    "Reconnect",
    "STALL_POLL",
]

logger = package_logger("gladia_live_client.live")

Frame = bytes | memoryview | str
"""An outgoing WebSocket frame: bytes-like for a binary (audio) frame, str for a text (JSON) frame."""

_STOP_RECORDING = encode_stop_recording()
_KEEPALIVE = encode_keepalive()
# Frames handed to the shell per call: bounds the time a shell holds its lock.
_BATCH_BYTES = 512 * 1024
# Seconds between two looks at a connection's stall deadline while nothing else wakes the reader.
STALL_POLL = 1.0


class LiveState(enum.StrEnum):
    """Where a session stands."""

    CONNECTING = "connecting"
    """Opening the first connection."""
    OPEN = "open"
    """Connected: audio flows."""
    RECONNECTING = "reconnecting"
    """The connection was lost: waiting out the backoff or connecting again."""
    CLOSED = "closed"
    """Over: the server ended the session (`end_session`) or the caller closed it."""
    FAILED = "failed"
    """Over with an error (see `LiveProtocol.error`)."""


class Closing(enum.Enum):
    """What the shell does with the open connection after the core took in an event (`LiveProtocol.closing`)."""

    KEEP = "keep"
    """Keep reading."""
    HANDSHAKE = "handshake"
    """Close it with a closing handshake: the session is over and the peer is expected to answer."""
    CUT = "cut"
    """Cut it now, without a handshake: the peer would not answer one (stalled, refused audio), or the session
    was aborted or failed."""


@dataclass(frozen=True, slots=True)
class Reconnect:
    """Connect again to the same URL after `delay` seconds; `attempt` counts the current run of failures."""

    delay: float
    attempt: int


@dataclass(frozen=True, slots=True)
class Finish:
    """The session is over; do not reconnect."""


@dataclass(frozen=True, slots=True)
class Fail:
    """The session is over with `error`; do not reconnect."""

    error: LiveError


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The server will not take the connection back after `stop_recording`: fetch the final result over REST
    (`get_job` until `done`), then call `LiveProtocol.result_fetched` (or `fail`). Only returned when the shell
    said it can (`LiveProtocol.can_fetch_result`).

    `verify`: audio or `stop_recording` was never acknowledged (the acknowledgements may have been lost with
    the connection, the server having committed everything). Read the length of the job's recording (the
    `data` chunk size in the WAV header of `GET /v2/live/{id}/file`) and pass it to
    `LiveProtocol.verify_recording`: right after the refusal (`done=False`), and once the job is `done`,
    before `result_fetched`."""

    verify: bool = False


Action = Reconnect | Finish | Fail | FetchResult

# The window of `ReconnectPolicy.max_reconnections_per_minute`.
_MINUTE = 60.0


@dataclass(frozen=True, slots=True)
class LiveStats:
    """A snapshot of a session's counters.

    Attributes:
        audio_bytes: bytes in the session's audio stream so far (what the caller sent, plus any silence
            keepalives).
        bytes_sent: distinct audio bytes sent at least once.
        bytes_resent: audio bytes sent again after a reconnection (probes included).
        bytes_acknowledged: the committed offset, in the caller's audio (not the server's numbering): the
            prefix the server acknowledged, or that a probe showed it had.
        bytes_buffered: audio held until acknowledged (`audio_bytes - bytes_acknowledged`).
        max_bytes_buffered: the most ever held (never above `LiveOptions.buffer_limit`).
        connections: connections opened; reconnections: those after the first.
        keepalives_sent, silence_bytes: keepalives sent, and the audio bytes silence keepalives added.
        stops_sent: `stop_recording` frames sent (more than one when a connection dropped before its ack).
        full_buffer_writes: writes that found the buffer (partly) full, so the caller had to wait.
        offset_mismatches: acknowledgements whose start was not the previous committed offset (the server
            numbered audio differently from the client: a sign of lost or duplicated audio on its side).
        messages_dropped: partial transcripts and acknowledgements dropped unread because the caller left
            `LiveOptions.max_unread_messages` (or `max_unread_bytes`) unread.
        messages_unread: messages waiting for the caller to read them.
        stalls: connections treated as dead because they stopped acknowledging or accepting writes.
        result_fetched: the final result came over REST after the server refused the connection (checked
            against the length of the server's recording when acknowledgements were missing).
        resyncs: reconnections that first probed where the server's recording ended (audio had been sent but
            not acknowledged on the connection before).
        bytes_recovered: audio released on a probe's evidence, or on the length of the server's recording
            after it refused the connection: the server had committed it, but its acknowledgements were lost
            with the connection.
        bytes_duplicated: audio bytes that are in the server's recording twice (probe samples, and audio sent
            again because the server may not have had it): at most one sample frame per reconnection.
        duplicated_seconds: the time shift those duplicates cause: the server's timestamps of later audio
            (`byte_range`, `time_range`, word and utterance times) are this much later than the same audio's
            position in what the caller sent.
        ack_anomalies: acknowledgements outside the audio the connection carried, once mapped into client
            offsets: not acted on (the server does not number audio as the session assumes).
        resync_failures: probes whose acknowledgement contradicted the assumptions (or was negative): the
            session went on as safely as it could, but duplicates or losses there are not counted.
    """

    session_id: str | None
    state: LiveState
    audio_bytes: int
    bytes_sent: int
    bytes_resent: int
    bytes_acknowledged: int
    bytes_buffered: int
    max_bytes_buffered: int
    connections: int
    reconnections: int
    keepalives_sent: int
    silence_bytes: int
    stops_sent: int
    full_buffer_writes: int
    offset_mismatches: int
    messages_dropped: int = 0
    messages_unread: int = 0
    stalls: int = 0
    result_fetched: bool = False
    resyncs: int = 0
    bytes_recovered: int = 0
    bytes_duplicated: int = 0
    duplicated_seconds: float = 0.0
    ack_anomalies: int = 0
    resync_failures: int = 0


@dataclass(slots=True)
class _Probe:
    """The one-sample frame a connection sends first, to learn where the server's recording ends."""

    offset: int  # client offset of the probe's bytes: the acknowledged offset when the connection opened
    size: int
    sent: bool = False


class LiveProtocol:
    """The state machine of one live session (see the module docstring).

    The shell calls, in order: `connection_made` when a WebSocket opens; `frames_to_send` whenever something
    may be sendable (after `write`, `stop_recording`, `connection_made`, at `next_deadline`, or after `receive`
    when `has_pending_frames`: a probe's acknowledgement lets audio flow again), or, from the caller right after
    `write`, `frames_to_send_directly` (a shell whose caller may write to the socket itself, when nothing waits);
    `write_started`/`write_finished` around each write (one at a time); `receive` for every frame
    from the server; `connection_lost` / `connection_failed` when a connection ends or cannot be
    made, then acts on the returned `Action`. The caller's side is `write`, `stop_recording` and `abort`.
    """

    # Slots: a session's state is some 70 fields; without a __dict__ each session holds about 1 KiB less.
    __slots__ = (
        "_aborted",
        "_ack_anomalies",
        "_ack_mark_offset",
        "_ack_mark_stop",
        "_ack_wait_since",
        "_anomaly_logged",
        "_backlog",
        "_block_align",
        "_buffer",
        "_bytes_duplicated",
        "_bytes_recovered",
        "_bytes_resent",
        "_callbacks_failed",
        "_carried_end",
        "_connected",
        "_connection_start",
        "_connections",
        "_delta",
        "_end_timeout",
        "_end_wait_since",
        "_ended",
        "_error",
        "_failures",
        "_failures_since",
        "_for_callbacks",
        "_frame_bytes",
        "_full_buffer_writes",
        "_keepalives",
        "_last_activity",
        "_lost_probes",
        "_max_buffered",
        "_min_progress_bytes",
        "_offset_mismatches",
        "_opened_at",
        "_policy",
        "_probe",
        "_progress",
        "_progress_mark",
        "_reconnect_times",
        "_reconnects",
        "_refusal",
        "_refused",
        "_relearn",
        "_result_fetched",
        "_resync_failures",
        "_resyncs",
        "_rng",
        "_send_offset",
        "_sendable",
        "_sent_max",
        "_silence_bytes",
        "_stall_deadline",
        "_stall_reason",
        "_acks_moved",
        "_stall_timeout",
        "_stalls",
        "_state",
        "_stop_acknowledged",
        "_stop_only",
        "_stop_requested",
        "_stop_sent",
        "_stops_sent",
        "_verified",
        "_verify_pending",
        "_writing_since",
        "audio_format",
        "callbacks",
        "can_fetch_result",
        "options",
        "session_id",
    )

    def __init__(
        self, audio_format: AudioFormat, options: LiveOptions | None = None, *, session_id: str | None = None
    ) -> None:
        self.audio_format = audio_format
        self.options = options = options or LiveOptions()
        self.session_id = session_id
        # The backoff's jitter source, made on the first reconnection (a Mersenne Twister holds 2.5 KiB).
        self._rng: random.Random | None = options.rng
        self._policy = options.reconnect
        self._frame_bytes = audio_format.frame_bytes(options.frame_duration)
        self._block_align = audio_format.block_align
        if options.buffer_limit < audio_format.block_align:
            # Frames carry whole sample frames: a smaller buffer could never send its content.
            raise ConfigurationError(
                f"LiveOptions.buffer_limit ({options.buffer_limit}) is smaller than one sample frame of "
                f"{audio_format.describe()} ({audio_format.block_align} bytes): raise it to at least that"
            )
        self._buffer = AudioBuffer()
        self._state = LiveState.CONNECTING
        self._error: LiveError | None = None
        # Offsets (absolute, in the session's audio stream).
        self._send_offset = 0  # next byte to send on the current connection
        self._sent_max = 0  # highest offset ever sent
        # Where the audio that may be sent now ends (see `_sendable_end`): read several times per frame, so
        # kept up to date where its inputs change (the buffer's end, `stop_recording`) instead of recomputed.
        self._sendable = 0
        # stop_recording and the end of the session.
        self._stop_requested = False
        self._stop_sent = False  # on the current connection
        self._stop_acknowledged = False
        self._ended = False  # end_session received
        self._aborted = False
        # The current connection.
        self._connected = False
        self._opened_at = 0.0
        self._progress = False
        self._last_activity = 0.0
        # The current run of failed connections.
        self._failures = 0
        self._failures_since: float | None = None
        # Counters.
        self._connections = 0
        self._bytes_resent = 0
        self._max_buffered = 0
        self._keepalives = 0
        self._silence_bytes = 0
        self._stops_sent = 0
        self._full_buffer_writes = 0
        self._offset_mismatches = 0
        # The mapping to the server's numbering, and resynchronisation (see the module docstring).
        self._delta = 0  # server offset - client offset, for the acknowledged offset and everything after it
        self._connection_start = 0  # client offset the current connection started carrying audio from
        self._carried_end = 0  # highest client offset carried since the mapping was last confirmed
        self._lost_probes = 0  # probes whose connection ended before their acknowledgement
        self._probe: _Probe | None = None  # the current connection's probe, until its acknowledgement
        self._relearn = False  # the mapping is unknown: the next acknowledgement sets it
        self._stop_only = False  # the server refused audio after its stop_recording: only the stop is resent
        self._anomaly_logged = False  # on the current connection
        self._refused: str | None = None  # why the server refused audio on the current connection (see receive)
        self._resyncs = 0
        self._bytes_recovered = 0
        self._bytes_duplicated = 0
        self._ack_anomalies = 0
        self._resync_failures = 0
        # The bounds around the accounting: unread messages, stalls, the reconnection budget.
        self._backlog = MessageBacklog(options.max_unread_messages, options.max_unread_bytes)
        # Messages routed to the callbacks registered with `on()`, not yet run: bounded the same way.
        self.callbacks = MessageCallbacks()
        self._for_callbacks = MessageBacklog(options.max_unread_messages, options.max_unread_bytes, CALLBACKS_TOO_SLOW)
        self._callbacks_failed = False
        # Stall watch (see `stall`): since when a write has been in progress, since when sent audio or
        # stop_recording has waited for an acknowledgement, and what was acknowledged then.
        self._writing_since: float | None = None
        self._ack_wait_since: float | None = None
        self._ack_mark_offset = 0
        self._ack_mark_stop = False
        self._end_wait_since: float | None = None  # stop_recording acknowledged, end_session not yet come
        # The earliest of the deadlines those start (`stall_deadline`), kept up to date whenever one of them
        # changes rather than recomputed on every frame.
        self._stall_deadline: float | None = None
        self._stall_timeout = options.stall_timeout
        self._end_timeout = options.end_timeout
        self._stall_reason: str | None = None
        # A frame changed what the acknowledgement wait looks at (see `frame_handled`).
        self._acks_moved = True
        self._stalls = 0
        # Reconnection budget: what was committed when the previous connection ended (so what the last one
        # added), and when each reconnection was decided.
        self._progress_mark: tuple[int, bool] = (0, False)
        self._min_progress_bytes = max(1, int(options.reconnect.min_progress * self.audio_format.bytes_per_second))
        self._reconnect_times: list[float] = []  # a few at most (the per-minute budget)
        self._reconnects = 0
        # The final result over REST.
        self.can_fetch_result = False
        """Set by a shell that has a REST client: `FetchResult` may then replace a refused reconnection."""
        self._result_fetched = False
        self._verify_pending = False  # FetchResult(verify=True) returned: verify_recording() comes next
        self._verified = False  # verify_recording() found every byte in the server's recording
        self._refusal = ""  # how the server refused the connection, for the error if the check fails

    # -- facts -------------------------------------------------------------------------------------------

    @property
    def state(self) -> LiveState:
        return self._state

    @property
    def error(self) -> LiveError | None:
        """Why the session failed, once `state` is FAILED."""
        return self._error

    @property
    def finished(self) -> bool:
        return self._state in (LiveState.CLOSED, LiveState.FAILED)

    @property
    def ended(self) -> bool:
        """The server sent `end_session`: nothing more will come."""
        return self._ended

    @property
    def stop_acknowledged(self) -> bool:
        return self._stop_acknowledged

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    @property
    def should_close(self) -> bool:
        """The shell should close the open connection (the session ended or failed, or the caller aborted)."""
        return self._connected and (self._ended or self._aborted or self._state is LiveState.FAILED)

    @property
    def closing(self) -> Closing:
        """How the shell closes the open connection now (`should_close`), if at all.

        A closing handshake only when the session ended and no write is stuck: a peer that stopped reading
        would not answer it (and `websockets` waits for a blocked write before it sends the close frame).
        Aborted or failed (an unread backlog): no handshake to wait for either.
        """
        # `should_close`, written out: the shell asks after every frame it receives.
        if not self._connected or not (self._ended or self._aborted or self._state is LiveState.FAILED):
            return Closing.KEEP
        return Closing.HANDSHAKE if self._ended and self._writing_since is None else Closing.CUT

    @property
    def bytes_acknowledged(self) -> int:
        return self._buffer.start

    @property
    def frame_bytes(self) -> int:
        return self._frame_bytes

    def stats(self) -> LiveStats:
        return LiveStats(
            session_id=self.session_id,
            state=self._state,
            audio_bytes=self._buffer.end,
            bytes_sent=self._sent_max,
            bytes_resent=self._bytes_resent,
            bytes_acknowledged=self._buffer.start,
            bytes_buffered=len(self._buffer),
            max_bytes_buffered=self._max_buffered,
            connections=self._connections,
            reconnections=max(0, self._connections - 1),
            keepalives_sent=self._keepalives,
            silence_bytes=self._silence_bytes,
            stops_sent=self._stops_sent,
            full_buffer_writes=self._full_buffer_writes,
            offset_mismatches=self._offset_mismatches,
            resyncs=self._resyncs,
            bytes_recovered=self._bytes_recovered,
            bytes_duplicated=self._bytes_duplicated,
            duplicated_seconds=self._bytes_duplicated / self.audio_format.bytes_per_second,
            ack_anomalies=self._ack_anomalies,
            resync_failures=self._resync_failures,
            messages_dropped=self._backlog.dropped + self._for_callbacks.dropped,
            messages_unread=len(self._backlog) + len(self._for_callbacks),
            stalls=self._stalls,
            result_fetched=self._result_fetched,
        )

    # -- the caller's side -------------------------------------------------------------------------------

    def buffer_space(self) -> int:
        """Bytes `write` accepts right now."""
        return max(0, self.options.buffer_limit - len(self._buffer))

    def check_writable(self) -> None:
        """Raise the reason audio cannot be written any more, if there is one."""
        if self._error is not None:
            raise self._error
        if self.finished or self._aborted:
            raise LiveStateError("the live session is closed: no more audio can be sent")
        if self._stop_requested:
            raise LiveStateError("stop_recording() was called: no more audio can be sent")

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Take as much of `data` as the buffer has room for; return how many bytes were taken.

        Returns 0 when the buffer is full: the shell waits for acknowledgements and calls again.
        """
        if self._error is not None or self._aborted or self._stop_requested or self.finished:
            self.check_writable()
        view = data if type(data) is memoryview and data.format == "B" else memoryview(data).cast("B")
        size = len(view)
        buffer = self._buffer
        space = self.options.buffer_limit - (buffer.end - buffer.start)
        if size > space:
            self._full_buffer_writes += 1
            if space <= 0:
                return 0
            view = view[:space]
            size = space
        if size:
            buffer.append(view)
            end = buffer.end
            self._sendable = end - end % self._block_align
            buffered = end - buffer.start
            if buffered > self._max_buffered:
                self._max_buffered = buffered
        return size

    def stop_recording(self) -> None:
        """Ask the server to end the recording once every byte written so far has been sent (idempotent)."""
        if self._error is not None:
            raise self._error
        if self.finished or self._aborted:
            raise LiveStateError("the live session is closed")
        self._stop_requested = True
        self._sendable = self._buffer.end  # the trailing partial sample frame goes too

    def finish_recording(self) -> bool:
        """`close()` and `final_result()`: stop the recording unless the session is over or the stop was asked
        for already. Returns whether the stop was asked for now (the writer then has `stop_recording` to send)."""
        if self.finished or self._stop_requested:
            return False
        self.stop_recording()
        return True

    def abort(self) -> None:
        """The caller closes the session now, whatever is still unsent or unacknowledged."""
        self._aborted = True
        if not self._connected and not self.finished:
            self._state = LiveState.CLOSED

    # -- connections -------------------------------------------------------------------------------------

    def connection_made(self, now: float) -> None:
        """A WebSocket is open: (re)send from the acknowledged offset, after a probe if audio was in flight."""
        if self.finished:
            raise LiveStateError("connection_made() on a finished session")
        self._connected = True
        self._state = LiveState.OPEN
        self._connections += 1
        self._end_probe()
        committed = self._buffer.start
        self._send_offset = self._connection_start = committed
        self._stop_sent = False
        self._anomaly_logged = False
        if self._refused is not None:
            # The last connection's numbering was lost with a refused frame: no probe can map it. Resend
            # everything unacknowledged and take the mapping from the next acknowledgement.
            self._refused = None
            self._relearn = True
            self._carried_end = committed
            self._lost_probes = 0
        self._opened_at = now
        self._progress = False
        self._acks_moved = True
        self._last_activity = now
        if self._carried_end > committed and not self._stop_only:
            # A trailing half sample (flushed by stop_recording) is the only audio that can be under one sample.
            size = min(self.audio_format.block_align, self._sendable - committed)
            self._probe = _Probe(committed, size)
        if self._connections > 1:
            logger.info(
                "live session %s reconnected (connection %d); %d bytes unacknowledged from offset %d%s",
                self.session_id,
                self._connections,
                self._carried_end - committed,
                committed,
                "; probing where the server's recording ends first" if self._probe is not None else "",
            )

    def _end_probe(self) -> None:
        """The connection ended: a probe sent on it may or may not be in the server's recording."""
        if self._probe is not None and self._probe.sent:
            self._lost_probes += 1
        self._probe = None

    def connection_lost(self, now: float, code: int | None, reason: str = "") -> Action:
        """The open connection ended, with the server's close `code` (None when there was no close frame)."""
        if not self._connected:
            raise LiveStateError("connection_lost() without an open connection")
        self._connected = False
        self._writing_since = self._ack_wait_since = self._end_wait_since = self._stall_deadline = None
        stalled, self._stall_reason = self._stall_reason, None
        progressed = self._take_progress()
        self._end_probe()
        if self._state is LiveState.FAILED and self._error is not None:  # failed while connected (backlog)
            return Fail(self._error)
        if self._aborted:
            return self._finish()
        if self._ended:
            return self._end_of_session()
        if code == 1000 and self._stop_acknowledged and not self._buffer:
            # The normal end when lifecycle events (end_session) are not requested: everything was committed.
            return self._finish()
        refusal = f"the server closed the live session with code {code} ({reason or 'no reason given'})"
        if code is not None and 4400 <= code <= 4499 and (fetch := self._fetch_result(refusal)) is not None:
            return fetch
        if code is not None and is_terminal_close(code):
            unacknowledged = len(self._buffer)
            detail = f"; {unacknowledged} bytes of audio were never acknowledged" if unacknowledged else ""
            if not unacknowledged and self._stop_acknowledged:
                detail = "; all audio had been acknowledged: the job's result is available from get_job()"
            return self._fail(
                LiveSessionClosed(
                    f"the server closed the live session with code {code} ({reason or 'no reason given'}) "
                    f"before end_session{detail}",
                    close_code=code,
                    close_reason=reason,
                    unacknowledged_bytes=unacknowledged,
                )
            )
        # A connection cut as stalled was not healthy, however long it stayed open.
        healthy = progressed or (stalled is None and now - self._opened_at >= self._policy.healthy_after)
        what = f"code {code} ({reason or 'no reason given'})" if code is not None else "no close frame"
        if stalled is not None:
            what = stalled
        return self._retry(now, healthy, what, code, reason)

    def connection_failed(self, now: float, *, status: int | None = None, detail: str = "") -> Action:
        """A connection attempt failed: HTTP `status` refusing the handshake, or a network error (`detail`)."""
        if self._connected:
            raise LiveStateError("connection_failed() while a connection is open")
        if self._aborted:
            return self._finish()
        refusal = f"the server refused the WebSocket handshake with HTTP {status}"
        if status == 403 and (fetch := self._fetch_result(refusal)) is not None:
            return fetch
        if status is not None and is_terminal_handshake_status(status):
            hint = ""
            if self._stop_acknowledged and not self._buffer:
                hint = "; all audio had been acknowledged: the job's result is available from get_job()"
            return self._fail(
                LiveHandshakeRejected(
                    f"the server refused the WebSocket handshake with HTTP {status}; this session's URL can no "
                    f"longer be used (not retried){hint}",
                    status_code=status,
                    attempts=self._failures + 1,
                )
            )
        what = f"handshake refused with HTTP {status}" if status is not None else detail or "connection failed"
        return self._retry(now, False, what, None, None)

    def _retry(self, now: float, healthy: bool, what: str, code: int | None, reason: str | None) -> Action:
        policy = self._policy
        if healthy:
            self._failures = 0
            self._failures_since = None
        self._failures += 1
        if self._failures_since is None:
            self._failures_since = now
        elapsed = now - self._failures_since
        attempt = self._failures
        if self._rng is None:
            self._rng = random.Random()
        delay = policy.delay(attempt, self._rng) if attempt <= policy.max_attempts else 0.0
        if attempt > policy.max_attempts or elapsed + delay > policy.max_elapsed:
            return self._fail(
                LiveConnectionError(
                    f"gave up reconnecting the live session after {attempt} failed connection attempts in "
                    f"{elapsed:.1f} s (policy: at most {policy.max_attempts} reconnections within "
                    f"{policy.max_elapsed:g} s); last failure: {what}",
                    attempts=attempt,
                    elapsed=elapsed,
                    close_code=code,
                    close_reason=reason,
                )
            )
        over_budget = self._spend_reconnection(now)
        if over_budget is not None:
            return self._fail(
                LiveConnectionError(
                    f"gave up reconnecting the live session: {over_budget}; last failure: {what}",
                    attempts=attempt,
                    elapsed=elapsed,
                    close_code=code,
                    close_reason=reason,
                )
            )
        self._state = LiveState.RECONNECTING
        # A drop the session recovers from is routine on real networks: INFO, not WARNING.
        logger.info(
            "live session %s: connection lost (%s); reconnecting in %.2f s (attempt %d of %d)",
            self.session_id,
            what,
            delay,
            attempt,
            policy.max_attempts,
        )
        return Reconnect(delay, attempt)

    def _take_progress(self) -> bool:
        """Whether the connection that just ended made real progress (see `ReconnectPolicy`): newly committed
        audio of at least `min_progress` seconds, the first `stop_recording`
        acknowledgement, or the end of the session. A repeated acknowledgement or a few bytes do not count."""
        committed, stop_acknowledged = self._buffer.start, self._stop_acknowledged
        previous_committed, previous_stop = self._progress_mark
        self._progress_mark = (committed, stop_acknowledged)
        added = committed - previous_committed
        return added >= self._min_progress_bytes or (stop_acknowledged and not previous_stop) or self._ended

    def _spend_reconnection(self, now: float) -> str | None:
        """Count one reconnection against the session's budget; say why not when the budget is spent."""
        policy = self._policy
        times = self._reconnect_times
        while times and times[0] <= now - _MINUTE:
            del times[0]
        if policy.max_reconnections is not None and self._reconnects >= policy.max_reconnections:
            return (
                f"{self._reconnects} reconnections already made in this session "
                f"(ReconnectPolicy.max_reconnections={policy.max_reconnections})"
            )
        if policy.max_reconnections_per_minute is not None and len(times) >= policy.max_reconnections_per_minute:
            return (
                f"{len(times)} reconnections within the last minute "
                f"(ReconnectPolicy.max_reconnections_per_minute={policy.max_reconnections_per_minute}): the "
                "server keeps dropping the connection"
            )
        times.append(now)
        self._reconnects += 1
        return None

    def _result_is_complete(self) -> bool:
        """Every byte and `stop_recording` were acknowledged and the shell can fetch the result over REST."""
        return self.can_fetch_result and self._stop_acknowledged and not self._buffer

    def _fetch_result(self, refusal: str) -> FetchResult | None:
        """What to do when the server refuses the connection: fetch the result over REST, verified when
        acknowledgements are missing, or None (the refusal is an error).

        Verification needs a `stop_recording` sent (one goes out only after the connection carried all the
        audio before it: the server may have committed everything) and the mapping to the server's numbering
        (unknown after a refused probe, until an acknowledgement sets it again).
        """
        if self._result_is_complete():
            return FetchResult()
        if self.can_fetch_result and self._stop_requested and self._stops_sent and not self._relearn:
            self._verify_pending = True
            self._refusal = refusal
            return FetchResult(verify=True)
        return None

    def verify_recording(self, recording_bytes: int, *, done: bool = True) -> Fail | None:
        """After `FetchResult(verify=True)`: does the server's recording, `recording_bytes` long, hold every
        byte of the session's audio? With the job `done`: yes, release the buffer as committed
        (`bytes_recovered`, and the probe samples it holds in `bytes_duplicated`) and return None (then
        `result_fetched`); no, or the length cannot be explained: fail with `LiveSessionIncomplete`.

        Before the job is done (`done=False`, the shell's first look, right after the refusal), only a
        recording that cannot be complete fails, at once: the server took no audio since it refused the
        connection, and it commits what a connection carried in order (see the module docstring), so a short
        recording stays short. Otherwise None, and the shell checks again once the job is done.

        The audio ends at server offset `end + delta`. After it, the recording may also hold the probes whose
        connection was cut before their acknowledgement, each in it or not: as when a probe is answered, as
        many as fit are assumed in it (`_recovered`), which never takes audio for committed that may be missing.
        """
        if not self._verify_pending or self.finished:
            raise LiveStateError("verify_recording() without FetchResult(verify=True)")
        committed, end = self._buffer.start, self._buffer.end
        unacknowledged = end - committed
        probe_size = min(self.audio_format.block_align, unacknowledged) or self.audio_format.block_align
        arrived = recording_bytes - (committed + self._delta)  # bytes after the committed offset's position
        recovered = self._recovered(committed, probe_size, arrived)
        if recovered == unacknowledged and not done:
            return None
        self._verify_pending = False
        if recovered == unacknowledged:
            duplicated = arrived - recovered
            self._bytes_recovered += recovered
            self._bytes_duplicated += duplicated
            self._resume(end, self._delta + duplicated)
            self._verified = True
            logger.info(
                "live session %s: the server's recording holds all %d bytes of audio (%d unacknowledged, "
                "acknowledgements lost; %d bytes duplicated)",
                self.session_id,
                end,
                recovered,
                duplicated,
            )
            return None
        where = f"the server's recording of {recording_bytes} bytes"
        if recovered < unacknowledged:
            probes = self._lost_probes
            assumed = f", counting the {probes} probe samples sent on cut connections as in it" if probes else ""
            what = (
                f"{where} lacks {unacknowledged - recovered} bytes of the audio sent{assumed} (the last "
                f"{unacknowledged} bytes were never acknowledged)"
            )
        else:
            what = (
                f"{where} holds {recovered - unacknowledged} bytes more than the audio sent (server offsets are "
                f"client offsets + {self._delta}): whether audio is missing cannot be told"
            )
        return self._fail(
            LiveSessionIncomplete(
                f"{self._refusal} after stop_recording; {'its job is done' if done else 'its job is not done'}, "
                f"but {what}: the transcript may miss that audio",
                unacknowledged_bytes=unacknowledged,
                bytes_acknowledged=committed,
            )
        )

    def result_fetched(self, message: LiveMessage) -> Finish | Fail:
        """The shell fetched the final result over REST (after `FetchResult`): give it to the caller, end."""
        if self.finished:
            raise LiveStateError("result_fetched() on a finished session")
        if self._verify_pending or (self._buffer and not self._verified):
            raise LiveStateError("result_fetched() before verify_recording()")
        logger.info(
            "live session %s: the server refused the connection after stop_recording; final result fetched over REST",
            self.session_id,
        )
        try:
            self._queue([message], 0)
        except LiveError as exc:
            return self._fail(exc)
        self._result_fetched = True
        self._ended = True
        return self._finish()

    # -- unread messages ---------------------------------------------------------------------------------

    def receive_frame(self, frame: str | bytes) -> bool:
        """Handle one frame from the server (`receive`) and queue its messages for the caller.

        Returns whether a message was queued. When the backlog is full of messages that must not be dropped,
        the session fails with `LiveBacklogError` (`should_close` turns true).
        """
        messages = self.receive(frame)
        if not messages or self._state is LiveState.CLOSED or self._state is LiveState.FAILED:
            return False
        try:
            dropped = self._queue(messages, len(frame))
        except LiveError as exc:
            self._fail(exc)
            return False
        if dropped and not self._backlog.warned:
            self._backlog.warned = True  # once per session, whichever queue dropped
            logger.warning(
                "live session %s: %d messages are unread (LiveOptions.max_unread_messages=%d, "
                "max_unread_bytes=%d); dropping unread partial transcripts and acknowledgements (counted in "
                "stats.messages_dropped). Read messages while sending (another thread or task) to keep them",
                self.session_id,
                len(self._backlog) + len(self._for_callbacks),
                self._backlog.max_messages,
                self._backlog.max_bytes,
            )
        return True

    def _queue(self, messages: list[LiveMessage], frame_size: int) -> int:
        """Queue `messages` for the callbacks that match them, the others for the reader; return how many of
        them were dropped (see `MessageBacklog.push`)."""
        if not self.callbacks:
            return self._backlog.push(messages, frame_size)
        size = frame_size // max(1, len(messages))
        dropped = 0
        for message in messages:
            queue = self._for_callbacks if self.callbacks.matching(message) else self._backlog
            dropped += queue.push([message], size)
        return dropped

    def next_message(self) -> LiveMessage | None:
        """The oldest message the caller has not read, or None."""
        return self._backlog.pop()

    def next_for_callbacks(self) -> tuple[LiveMessage, list[Callback]] | None:
        """The oldest message routed to callbacks and the callbacks to run on it, or None (none, or a callback
        failed: the others are not run any more)."""
        if self._callbacks_failed:
            return None
        message = self._for_callbacks.pop()
        return None if message is None else (message, self.callbacks.matching(message))

    @property
    def has_messages_for_callbacks(self) -> bool:
        return len(self._for_callbacks) > 0 and not self._callbacks_failed

    @property
    def callbacks_failed(self) -> bool:
        return self._callbacks_failed

    def callback_failed(self, error: LiveError) -> None:
        """A callback raised: the session fails with `error` (the caller's next call raises it), even when the
        server had already ended it; the first error of a session that had failed already stays its error."""
        self._callbacks_failed = True
        if self._state is LiveState.FAILED:
            logger.error("live session %s: %s", self.session_id, error)
            return
        self._fail(error)

    @property
    def has_messages(self) -> bool:
        return len(self._backlog) > 0

    # -- stalls ------------------------------------------------------------------------------------------

    def write_started(self, now: float) -> None:
        """The shell is about to write frames to the socket (a write that does not finish is a stall). The
        acknowledgements they owe are watched from `write_finished` on: until then, the write's own deadline
        comes first."""
        self._writing_since = now
        timeout = self._stall_timeout
        if timeout is not None and (self._stall_deadline is None or now + timeout < self._stall_deadline):
            self._stall_deadline = now + timeout

    def frames_to_send_directly(self, room: int, now: float) -> list[Frame]:
        """The frames the caller that just `write`-ed audio writes to the socket itself, instead of waking the
        shell's writer, with the write started (`write_started`: call `write_finished` once written); empty
        when it may not (`sends_directly`: the writer sends them)."""
        # `sends_directly` and `write_started`, written out: this runs on every frame the caller writes.
        if (
            not self._connected
            or self._writing_since is not None
            or self._probe is not None
            or self._stop_only
            or self._ended
            or self._aborted
            or not 0 < self._sendable - self._send_offset <= room
        ):
            return []
        frames = self.frames_to_send(now)
        if frames:
            self._writing_since = now
            timeout = self._stall_timeout
            if timeout is not None and (self._stall_deadline is None or now + timeout < self._stall_deadline):
                self._stall_deadline = now + timeout
        return frames

    @property
    def writing(self) -> bool:
        """Whether the shell is writing frames to the socket right now (between `write_started` and
        `write_finished`)."""
        return self._writing_since is not None

    def write_finished(self, now: float) -> None:
        self._writing_since = None
        self._watch_acks(now)

    def _watch_acks(self, now: float) -> None:
        # Audio sent on this connection and not yet acknowledged (a probe included), or stop_recording sent and
        # not acknowledged: the peer owes an acknowledgement. The wait restarts whenever the committed offset
        # moves. Called on every frame: written out rather than through the properties.
        connected = self._connected
        committed = self._buffer.start
        stop_acknowledged = self._stop_acknowledged
        if not connected:
            outstanding = False
        elif self._stop_sent and not stop_acknowledged:
            outstanding = True
        elif self._probe is not None:
            outstanding = self._probe.sent
        else:
            outstanding = self._send_offset > committed
        if not outstanding:
            self._ack_wait_since = None
        elif (
            self._ack_wait_since is None
            or committed != self._ack_mark_offset
            or stop_acknowledged != self._ack_mark_stop
        ):
            self._ack_wait_since = now
        self._ack_mark_offset = committed
        self._ack_mark_stop = stop_acknowledged
        if connected and stop_acknowledged and not self._ended:
            if self._end_wait_since is None:
                self._end_wait_since = now
        else:
            self._end_wait_since = None
        # `_earliest_stall_deadline`, written out.
        deadline: float | None = None
        timeout = self._stall_timeout
        if timeout is not None:
            if self._writing_since is not None:
                deadline = self._writing_since + timeout
            ack_wait_since = self._ack_wait_since
            if ack_wait_since is not None and (deadline is None or ack_wait_since + timeout < deadline):
                deadline = ack_wait_since + timeout
        end_timeout = self._end_timeout
        if end_timeout is not None and self._end_wait_since is not None:
            end = self._end_wait_since + end_timeout
            if deadline is None or end < deadline:
                deadline = end
        self._stall_deadline = deadline

    def read_timeout(self, now: float) -> float | None:
        """How long the shell's reader may block waiting for a frame before it must call `stall` again (None:
        no limit, when stalls are not watched)."""
        if self._stall_timeout is None and self._end_timeout is None:  # `watches_stalls`
            return None
        deadline = self._stall_deadline if self._connected else None
        wait = STALL_POLL if deadline is None else max(0.0, deadline - now)
        return min(wait, STALL_POLL)

    @property
    def watches_stalls(self) -> bool:
        """Whether `stall` can ever return a reason (the shell then polls it while nothing arrives)."""
        return self.options.stall_timeout is not None or self.options.end_timeout is not None

    def stall_deadline(self) -> float | None:
        """When (in the shell's clock) the open connection will count as stalled if nothing changes."""
        return self._stall_deadline if self._connected else None

    def stall(self, now: float) -> str | None:
        """Why the open connection is dead (it stopped acknowledging or accepting writes for
        `LiveOptions.stall_timeout`, or did not end the session within `end_timeout` of acknowledging
        `stop_recording`), else None. Once it returns a reason, the shell closes the connection
        without a closing handshake and reports `connection_lost`, which reconnects."""
        self._watch_acks(now)
        if self._refused is not None and self._connected and self._stall_reason is None:
            self._stall_reason = self._refused
            return self._refused
        deadline = self._stall_deadline
        if deadline is None or now < deadline or self._stall_reason is not None or not self._connected:
            return None
        timeout = self._stall_timeout
        if timeout is not None and self._writing_since is not None and self._writing_since + timeout <= now:
            reason = f"the server accepted no data for {now - self._writing_since:.1f} s"
        elif timeout is not None and self._ack_wait_since is not None and self._ack_wait_since + timeout <= now:
            reason = f"the server acknowledged nothing for {now - self._ack_wait_since:.1f} s"
        else:
            reason = (
                f"the server acknowledged stop_recording {now - (self._end_wait_since or now):.1f} s ago and "
                "has not ended the session"
            )
        self._stall_reason = reason
        self._stalls += 1
        logger.info("live session %s: connection stalled (%s); closing it", self.session_id, reason)
        return reason

    def frame_handled(self, now: float) -> str | None:
        """`stall(now)` for a shell that looks at the stall deadline on a timer of its own (at the deadline,
        and at least every `STALL_POLL` s), called after each `receive_frame`: what the frame changes is
        taken into account (an acknowledgement restarts the wait; a refusal cuts the connection at once,
        as `stall` does), without comparing the deadline again on every frame. Frames that acknowledge,
        refuse or end nothing (transcripts, speech events) change none of it, so they cost nothing here."""
        if self._acks_moved:
            self._acks_moved = False
            self._watch_acks(now)
        if self._refused is not None and self._connected and self._stall_reason is None:
            self._stall_reason = self._refused
            return self._refused
        return None

    def fail(self, error: LiveError) -> Fail:
        """End the session with `error`: the shell hit something no reconnection can fix (a malformed URL, a bug)."""
        self._connected = False
        if self.finished:
            return Fail(self._error or error)
        return self._fail(error)

    def _end_of_session(self) -> Action:
        """The server sent `end_session`: the normal end, unless audio was never acknowledged."""
        unacknowledged = len(self._buffer)
        if not unacknowledged:
            return self._finish()
        return self._fail(
            LiveSessionIncomplete(
                f"the server ended the live session (end_session) while {unacknowledged} bytes of audio were "
                f"never acknowledged (session offsets {self._buffer.start} to {self._buffer.end}): the server "
                "may not have them, so the transcript may miss them",
                unacknowledged_bytes=unacknowledged,
                bytes_acknowledged=self._buffer.start,
            )
        )

    def _finish(self) -> Finish:
        self._state = LiveState.CLOSED
        return Finish()

    def _fail(self, error: LiveError) -> Fail:
        self._state = LiveState.FAILED
        self._error = error
        logger.error("live session %s failed: %s", self.session_id, error)
        return Fail(error)

    # -- outgoing ----------------------------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        """When (in the shell's clock) `frames_to_send` will produce a keepalive if nothing else is sent."""
        interval = self.options.keepalive_interval
        if interval is None or not self._connected or self._stop_requested or self._ended or self._aborted:
            return None
        return self._last_activity + interval

    def frames_to_send(self, now: float) -> list[Frame]:
        """The next frames for the open connection, in order (empty when there is nothing to send now)."""
        if not self._connected or self._ended or self._aborted:
            return []
        if self._probe is not None or self._stop_only:
            return self._frames_while_resynchronising(now)
        buffer = self._buffer
        offset = self._send_offset
        end = self._sendable
        keepalive = False
        if offset >= end:
            # The connection counts as idle once everything sendable is sent, a held-back half sample aside.
            deadline = self.next_deadline()
            keepalive = deadline is not None and now >= deadline
            # Silence would put whole frames after a partial one and shift every later sample: JSON keepalive then.
            if keepalive and self.options.keepalive == "silence" and end == buffer.end:
                silence = self.audio_format.silence(min(self._frame_bytes, self.buffer_space()))
                if silence:
                    buffer.append(silence)
                    self._sendable = self._sendable_end()
                    self._silence_bytes += len(silence)
                    self._max_buffered = max(self._max_buffered, len(buffer))
                    keepalive = False
                    end = self._sendable
        frames: list[Frame] = []
        if offset < end:
            frame_bytes = self._frame_bytes
            sent_max = self._sent_max
            budget = _BATCH_BYTES
            while offset < end and budget > 0:
                size = end - offset
                if size > frame_bytes:
                    size = frame_bytes
                frames.append(buffer.read(offset, size))
                if offset < sent_max:
                    self._bytes_resent += min(offset + size, sent_max) - offset
                offset += size
                budget -= size
            self._send_offset = offset
            if offset > sent_max:
                self._sent_max = offset
            if offset > self._carried_end:
                self._carried_end = offset
        if self._stop_requested and not self._stop_sent and not self._stop_acknowledged and offset == buffer.end:
            frames.append(_STOP_RECORDING)
            self._stop_sent = True
            self._stops_sent += 1
        if keepalive and not frames:
            frames.append(_KEEPALIVE)
            self._keepalives += 1
        if frames:
            self._last_activity = now
        return frames

    def _frames_while_resynchronising(self, now: float) -> list[Frame]:
        """Only the probe (once), or only `stop_recording` (see `_stop_only`); JSON keepalives when due."""
        frames: list[Frame] = []
        probe = self._probe
        if probe is not None and not probe.sent:
            frames.append(self._buffer.read(probe.offset, probe.size))
            probe.sent = True
            self._bytes_resent += max(0, min(probe.offset + probe.size, self._sent_max) - probe.offset)
        elif probe is None and not self._stop_sent and not self._stop_acknowledged:
            frames.append(_STOP_RECORDING)
            self._stop_sent = True
            self._stops_sent += 1
        else:
            # Silence would be audio, which must not follow the probe before its acknowledgement.
            deadline = self.next_deadline()
            if deadline is not None and now >= deadline:
                frames.append(_KEEPALIVE)
                self._keepalives += 1
        if frames:
            self._last_activity = now
        return frames

    def _sendable_end(self) -> int:
        """Where the audio that may be sent now ends: a trailing partial sample frame waits for the rest of it
        (frames carry whole ones) until `stop_recording` flushes it. Computed from its inputs; the hot path
        reads `_sendable`, kept equal to it where those inputs change."""
        end = self._buffer.end
        return end if self._stop_requested else end - end % self._block_align

    def sends_directly(self, room: int) -> bool:
        """Whether the caller that just `write`-ed audio may write the frames of `frames_to_send` to the socket
        itself, instead of waking the shell's writer: the connection is open and carries audio as usual (no
        probe, no stop-only resynchronisation), no write is in progress (frames leave in the order they are
        handed out, so one writer at a time), and the audio waiting to be sent is there and fits in `room`
        bytes, what the socket takes without making the caller wait. The shell then calls `frames_to_send`,
        `write_started` and, once written, `write_finished`, as its writer would."""
        if (
            not self._connected
            or self._writing_since is not None
            or self._probe is not None
            or self._stop_only
            or self._ended
            or self._aborted
        ):
            return False
        return 0 < self._sendable - self._send_offset <= room

    @property
    def has_pending_frames(self) -> bool:
        """Whether `frames_to_send` would return audio or `stop_recording` now (keepalives aside)."""
        if not self._connected or self._ended or self._aborted:
            return False
        if self._probe is not None:
            return not self._probe.sent
        if self._stop_only:
            return not (self._stop_sent or self._stop_acknowledged)
        if self._stop_requested:
            return self._send_offset < self._buffer.end or not (self._stop_sent or self._stop_acknowledged)
        return self._send_offset < self._sendable

    @property
    def probing(self) -> bool:
        """Whether the open connection sent its probe and waits for its acknowledgement before sending more."""
        return self._connected and self._probe is not None and self._probe.sent

    @property
    def awaiting_acknowledgement(self) -> bool:
        """Whether the open connection carried audio (a probe included) the server has not acknowledged yet:
        what a deadline on acknowledgements watches."""
        if not self._connected:
            return False
        if self._probe is not None:
            return self._probe.sent
        return self._send_offset > self._buffer.start

    # -- incoming ----------------------------------------------------------------------------------------

    def receive(self, frame: str | bytes) -> list[LiveMessage]:
        """Handle one frame from the server; return the messages to give the caller (possibly none).

        Acknowledgements are acted on from the raw JSON as soon as their `byte_range` is usable, even when
        another field does not fit the schema: ignoring a real acknowledgement would resend, so duplicate,
        audio. Models are built only for what the caller gets.
        """
        decoded = decode_server_frame(frame)
        if isinstance(decoded, GenericMessage):
            return [decoded]
        kind = decoded.get("type")
        acknowledged = decoded.get("acknowledged") is True
        if kind == "audio_chunk":
            self._acks_moved = True
            byte_range = ack_byte_range(decoded) if acknowledged else None
            if byte_range is not None:
                start, end = byte_range
                delta = self._delta
                buffer = self._buffer
                # The usual acknowledgement, written out (one per audio frame): the next bytes of what this
                # connection carried, with the mapping known. `_on_audio_ack` judges every other one.
                if (
                    start - delta == buffer.start < end - delta <= self._send_offset
                    and self._probe is None
                    and self._refused is None
                    and not self._relearn
                ):
                    buffer.release(end - delta)
                    self._progress = True
                else:
                    self._on_audio_ack(start, end)
                if not self.options.include_acks:
                    return []
            elif acknowledged:
                logger.warning("live session %s: acknowledgement without a usable byte_range", self.session_id)
            elif self._probe is not None and self._probe.sent:
                self._on_probe_refused(decoded.get("error"))
            else:
                self._on_audio_refused(decoded.get("error"))
            return [type_server_message(decoded)]
        if kind == "stop_recording":
            self._acks_moved = True
            if acknowledged:
                self._stop_acknowledged = True
                self._progress = True
                if not self.options.include_acks:
                    return []
            else:
                logger.warning(
                    "live session %s: stop_recording was not acknowledged: %s", self.session_id, decoded.get("error")
                )
            return [type_server_message(decoded)]
        if kind == "end_session":
            self._acks_moved = True
            self._ended = True
            self._progress = True
        return [type_server_message(decoded)]

    def _on_audio_ack(self, start: int, end: int) -> None:
        if start == end:
            return  # an empty frame's acknowledgement (a keepalive): no audio
        if self._probe is not None:
            if self._probe.sent:
                self._on_probe_ack(start, end)
            else:
                self._anomaly(start, end, "before anything was sent on this connection")
            return
        if self._refused is not None:
            self._anomaly(start, end, "after the server refused audio on this connection")
            return
        committed = self._buffer.start
        if self._relearn:
            self._relearn = False
            self._delta = start - committed
            logger.info(
                "live session %s: server offset %d taken as client offset %d", self.session_id, start, committed
            )
        client_start, client_end = start - self._delta, end - self._delta
        if client_end > self._send_offset or client_start < self._connection_start or client_end <= committed:
            self._anomaly(
                start,
                end,
                f"outside the audio this connection carried [{self._connection_start}, "
                f"{self._send_offset}) (server offsets are client offsets + {self._delta})",
            )
            return
        if client_start != committed:
            self._offset_mismatches += 1
            logger.warning(
                "live session %s: acknowledgement [%d, %d) (client offsets [%d, %d)) does not start at the "
                "acknowledged offset %d",
                self.session_id,
                start,
                end,
                client_start,
                client_end,
                committed,
            )
        self._buffer.release(client_end)
        self._progress = True

    def _anomaly(self, start: int, end: int, why: str) -> None:
        self._ack_anomalies += 1
        if not self._anomaly_logged:
            self._anomaly_logged = True
            logger.warning(
                "live session %s: ignored the acknowledgement [%d, %d): %s (further ones on this connection are "
                "counted in stats().ack_anomalies, not logged)",
                self.session_id,
                start,
                end,
                why,
            )

    def _on_probe_ack(self, start: int, end: int) -> None:
        """Where the server's recording ends is known: release what it committed, map, resume (module docstring)."""
        probe = self._probe
        assert probe is not None
        self._probe = None
        self._progress = True
        committed, size = probe.offset, probe.size
        arrived = start - (committed + self._delta)  # bytes the server committed after `committed`'s position
        recovered = self._recovered(committed, size, arrived)
        in_flight = self._carried_end - committed
        if self._relearn:  # the probe's acknowledgement is where the mapping starts again
            self._relearn = False
            self._resume(committed + size, end - committed - size)
            return
        if end - start != size:
            why = f"{end - start} bytes acknowledged for a probe of {size}"
        elif arrived < 0 or recovered > in_flight:
            why = f"{arrived} bytes in the server's recording after offset {committed}, {in_flight} were in flight"
        else:
            why = ""
        if why:
            self._resync_failures += 1
            logger.warning(
                "live session %s: cannot resynchronise (%s); taking the probe [%d, %d) as new audio at client "
                "offset %d: audio may have been lost or duplicated",
                self.session_id,
                why,
                start,
                end,
                committed,
            )
            self._resume(committed + size, end - committed - size)
            return
        self._resyncs += 1
        if arrived == 0:
            self._resume(committed + size, self._delta)  # the probe was simply the next sample
            return
        self._bytes_recovered += recovered
        resume = committed + recovered
        delta = end - resume
        self._bytes_duplicated += delta - self._delta
        logger.info(
            "live session %s: resynchronised: the server had %d more bytes (acknowledgements lost), %d bytes "
            "duplicated; resuming at offset %d",
            self.session_id,
            recovered,
            delta - self._delta,
            resume,
        )
        self._resume(resume, delta)

    def _recovered(self, committed: int, size: int, arrived: int) -> int:
        """How much of the audio in flight the server committed, given `arrived` bytes after `committed`.

        `arrived` is that audio's committed prefix plus any of the lost probes (`size` bytes each). Assuming as
        many probes as fit gives the smallest prefix consistent with it: never more than the true one.
        """
        if arrived < 0:
            return arrived
        recovered = arrived - min(self._lost_probes, arrived // size) * size
        tail = self._buffer.end - committed
        # Only the last frame ends inside a sample (a trailing half sample flushed by stop_recording): a
        # recording that far off the sample grid holds all of it, which tells how many probes are in it too.
        if (
            recovered % self.audio_format.block_align
            and (arrived - tail) % size == 0
            and 0 <= arrived - tail <= self._lost_probes * size
            and tail <= self._carried_end - committed
        ):
            return tail
        return recovered

    def _resume(self, offset: int, delta: int) -> None:
        """The server's recording holds the audio before client `offset`, which maps to `offset + delta`."""
        self._buffer.release(offset)
        self._delta = delta
        self._send_offset = self._connection_start = self._carried_end = offset
        self._lost_probes = 0

    def _on_audio_refused(self, error: object) -> None:
        """A negative acknowledgement of audio (not of the probe): the server did not take a frame, so its
        numbering no longer tells which of this connection's audio it has. Nothing more is released on this
        connection; it is cut (`stall`) and the next one resends everything unacknowledged (which may
        duplicate audio the server kept, uncounted: `resync_failures`), rather than release audio the server
        may not have."""
        if self._refused is None:
            self._refused = f"the server refused audio ({error})"
            self._resync_failures += 1
            logger.warning(
                "live session %s: %s; reconnecting to resend everything unacknowledged", self.session_id, self._refused
            )

    def _on_probe_refused(self, error: object) -> None:
        """A negative acknowledgement of the probe: degrade (module docstring)."""
        probe = self._probe
        assert probe is not None
        self._probe = None
        self._resync_failures += 1
        if self._stop_requested and self._stops_sent:
            self._stop_only = True
            what = "stop_recording had been sent: sending it again, and no more audio"
        else:
            self._relearn = True
            self._send_offset = self._connection_start = self._carried_end = probe.offset
            self._lost_probes = 0
            what = f"resending from offset {probe.offset}; the server may get some audio twice"
        logger.warning("live session %s: the server refused the probe (%s); %s", self.session_id, error, what)
