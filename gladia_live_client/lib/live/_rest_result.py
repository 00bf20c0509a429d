"""The final result over REST, for when the server refuses the connection after `stop_recording`.

Once every byte of audio and `stop_recording` were acknowledged, the recording is complete on the server's
side; if the connection is then lost and the server refuses it back (handshake refused with 403, or accepted
then closed with 4403, as Gladia does for a finished job's URL), the job's result is what `post_final_transcript`
would have carried. The shells poll `get_job` (their own I/O) on `ResultPoll`'s schedule and turn the finished
job into the message `final_result()` returns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ...models.post_final_transcript_message import PostFinalTranscriptMessage
from ...models.streaming_response import StreamingResponse
from ...models.streaming_response_status import StreamingResponseStatus
from ...types import Unset
from ._errors import LiveError

__all__ = ["AsyncJobFetcher", "JobFetcher", "ResultPoll", "final_message_from_job"]

JobFetcher = Callable[[str], StreamingResponse]
"""`GladiaLive.get_job`: how a sync session reads its job."""
AsyncJobFetcher = Callable[[str], Awaitable[StreamingResponse]]
"""`AsyncGladiaLive.get_job`."""


def final_message_from_job(job: StreamingResponse) -> PostFinalTranscriptMessage | None:
    """The `post_final_transcript` message equivalent to a `done` job's result; None while the job is still
    queued or processing. Raises `LiveError` when the job failed or has no result."""
    if job.status is StreamingResponseStatus.ERROR:
        raise LiveError(f"the session's job {job.id} ended with status error (error_code {job.error_code})")
    if job.status is not StreamingResponseStatus.DONE:
        return None
    if job.result is None or isinstance(job.result, Unset):
        raise LiveError(f"the session's job {job.id} is done but has no result")
    data: dict[str, Any] = job.result.to_dict()
    data.pop("messages", None)  # the job's copy of the WebSocket messages is not part of the final transcript
    finished = job.completed_at if not isinstance(job.completed_at, Unset) and job.completed_at else job.created_at
    try:
        return PostFinalTranscriptMessage.from_dict(
            {
                "session_id": str(job.id),
                "created_at": finished.isoformat(),
                "type": "post_final_transcript",
                "data": data,
            }
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LiveError(f"the result of job {job.id} does not fit post_final_transcript ({exc})") from None


class ResultPoll:
    """When to ask for the job again: 0.2 s, doubling up to 2 s, until `timeout` seconds have passed."""

    def __init__(self, now: float, timeout: float) -> None:
        self.deadline = now + timeout
        self._delay = 0.2

    def next_delay(self, now: float) -> float | None:
        """Seconds to wait before the next `get_job`, or None when the time is up."""
        if now >= self.deadline:
            return None
        delay = min(self._delay, self.deadline - now)
        self._delay = min(2.0, self._delay * 2)
        return delay

    def timed_out(self, timeout: float) -> LiveError:
        return LiveError(
            f"the server refused the connection after stop_recording, and the job was not done within "
            f"{timeout:g} s (LiveOptions.result_timeout); get_job() returns the result once it is"
        )
