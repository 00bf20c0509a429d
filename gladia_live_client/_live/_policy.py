"""When to reconnect, how long to wait, and when to give up (pure decisions, no clock, no I/O)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from ._checks import check_number

__all__ = ["ReconnectPolicy", "is_terminal_close", "is_terminal_handshake_status"]


def is_terminal_close(code: int) -> bool:
    """Whether a close code ends the session for good.

    1000 (the session is over), 1001 (going away) and 4400-4499 (the client's fault) are terminal, as
    Gladia's clients agree; anything else, including 1006 (no close frame) and 1011 (server error), means the
    same URL may be reconnected to.
    """
    return code in (1000, 1001) or 4400 <= code <= 4499


def is_terminal_handshake_status(status: int) -> bool:
    """Whether an HTTP status refusing the WebSocket handshake is final.

    4xx statuses say the request itself is refused (403: the URL may no longer be used; 401, 404, ...), so
    retrying cannot help -- except 408 and 429, which are about timing. 5xx and the rest are retried.
    """
    return 400 <= status <= 499 and status not in (408, 429)


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """Exponential backoff with jitter, bounded in attempts and in time.

    A run of failures starts when a connection is lost (or cannot be made) and ends when a connection is
    healthy again: it made real progress (the server newly acknowledged at least `min_progress` seconds of
    audio, or acknowledged `stop_recording` for the first time, or ended the session)
    or stayed open `healthy_after` seconds. A connection that is accepted and closed at once, or that only
    repeats an acknowledgement or acknowledges a few bytes, is a failure like any other: it never resets the
    backoff, so a flapping server cannot cause a reconnect loop.

    Whatever the runs, a session reconnects at most `max_reconnections` times in all and at most
    `max_reconnections_per_minute` times in any 60 seconds; the next loss fails the session with
    `LiveConnectionError`.

    The n-th attempt of a run waits `min(max_delay, initial_delay * multiplier ** (n - 1))` scaled by a
    random factor in `[1 - jitter, 1]`, so never less than `(1 - jitter) * initial_delay`: with the defaults,
    at most 8 attempts per run, the last one starting within 60 seconds of the first failure.

    Attributes:
        max_attempts: reconnection attempts allowed in one run of failures; the next failure is final.
        max_elapsed: seconds from the first failure of a run after which no new attempt starts.
        initial_delay, max_delay, multiplier: the exponential backoff.
        jitter: fraction of each delay that is randomised (0 = none, must stay below 1).
        healthy_after: seconds a connection must stay open to count as healthy without progress.
        min_progress: seconds of newly acknowledged audio that make a connection count as healthy.
        max_reconnections: reconnections allowed over the whole session (None: no limit).
        max_reconnections_per_minute: reconnections allowed in any 60 seconds (None: no limit).
    """

    max_attempts: int = 8
    max_elapsed: float = 60.0
    initial_delay: float = 0.5
    max_delay: float = 10.0
    multiplier: float = 2.0
    jitter: float = 0.5
    healthy_after: float = 10.0
    min_progress: float = 1.0
    max_reconnections: int | None = 100
    max_reconnections_per_minute: int | None = 10

    def __post_init__(self) -> None:
        def at_least(minimum: float) -> Callable[[float], bool]:
            return lambda value: value >= minimum

        check_number("ReconnectPolicy", "max_attempts", self.max_attempts, "an int >= 0", at_least(0), integer=True)
        check_number(
            "ReconnectPolicy", "initial_delay", self.initial_delay, "a positive number of seconds", lambda v: v > 0
        )
        check_number(
            "ReconnectPolicy",
            "max_delay",
            self.max_delay,
            f"a number of seconds >= initial_delay ({self.initial_delay})",
            at_least(self.initial_delay),
        )
        check_number("ReconnectPolicy", "multiplier", self.multiplier, "a number >= 1", at_least(1))
        check_number("ReconnectPolicy", "jitter", self.jitter, "a number in [0, 1)", lambda v: 0 <= v < 1)
        for name in ("max_elapsed", "healthy_after", "min_progress"):
            check_number("ReconnectPolicy", name, getattr(self, name), "a number of seconds >= 0", at_least(0))
        for name in ("max_reconnections", "max_reconnections_per_minute"):
            check_number(
                "ReconnectPolicy", name, getattr(self, name), "an int >= 0", at_least(0), integer=True, optional=True
            )

    def base_delay(self, attempt: int) -> float:
        """The delay before the `attempt`-th attempt of a run (1-based), before jitter."""
        exponent = min(max(attempt - 1, 0), 64)  # past the cap the power no longer matters; avoid overflow
        return min(self.max_delay, self.initial_delay * self.multiplier**exponent)

    def min_delay(self, attempt: int) -> float:
        """The shortest delay jitter can produce before the `attempt`-th attempt."""
        return self.base_delay(attempt) * (1 - self.jitter)

    def delay(self, attempt: int, rng: random.Random) -> float:
        """The delay before the `attempt`-th attempt of a run, jitter included."""
        return self.base_delay(attempt) * (1 - self.jitter * rng.random())
