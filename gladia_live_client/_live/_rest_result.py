"""The final result over REST, for when the server refuses the connection after `stop_recording`.

Once every byte of audio and `stop_recording` were acknowledged, the recording is complete on the server's
side; if the connection is then lost and the server refuses it back (handshake refused with 403, or accepted
then closed with 4403, as Gladia does for a finished job's URL), the job's result is what `post_final_transcript`
would have carried. The shells poll `get_job` (their own I/O) on `ResultPoll`'s schedule and turn the finished
job into the message `final_result()` returns.

When acknowledgements are missing (a cut in both directions right after `stop_recording` reached the server
loses them, the server having committed everything), the result is delivered only once the server's own
recording proves complete: its length, the `data` chunk size in the WAV header of `GET /v2/live/{id}/file`,
read from the first bytes of the download (`RecordingHeader`), is checked by `LiveProtocol.verify_recording`.
"""

from __future__ import annotations

import io
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from typing import Any

from .._generated.models.post_final_transcript_message import PostFinalTranscriptMessage
from .._generated.models.streaming_response import StreamingResponse
from .._generated.models.streaming_response_status import StreamingResponseStatus
from .._generated.types import Unset
from ._audio import AudioFormat, read_wav_header
from ._errors import AudioFormatError, LiveError

__all__ = [
    "AsyncAudioFetcher",
    "AsyncJobFetcher",
    "AudioFetcher",
    "JobFetcher",
    "RecordingHeader",
    "ResultPoll",
    "final_message_from_job",
]

JobFetcher = Callable[[str], StreamingResponse]
"""`GladiaLive.get_job`: how a sync session reads its job."""
AsyncJobFetcher = Callable[[str], Awaitable[StreamingResponse]]
"""`AsyncGladiaLive.get_job`."""
AudioFetcher = Callable[..., Generator[bytes]]
"""`GladiaLive.iter_audio`: the job's recording, streamed."""
AsyncAudioFetcher = Callable[..., AsyncGenerator[bytes]]
"""`AsyncGladiaLive.iter_audio`."""

# A WAV header is a few dozen bytes; chunks before `data` (LIST, ...) seldom add more than a few KiB.
_HEADER_LIMIT = 64 * 1024
# Chunks asked of the download: the header usually comes whole in the first one.
HEADER_CHUNK = 4096


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


class _Prefix(io.BytesIO):
    """The bytes read so far; remembers whether a read ran past them (the header needs more)."""

    short = False

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if size is not None and size >= 0 and len(data) < size:
            self.short = True
        return data


class RecordingHeader:
    """The length in bytes of the job's recording, from the first bytes of its WAV file (both shells feed it
    the download's chunks, then close the download: the audio itself is not read)."""

    def __init__(self, audio_format: AudioFormat) -> None:
        self._format = audio_format
        self._prefix = bytearray()

    def feed(self, chunk: bytes) -> int | None:
        """Take the next chunk; return the recording's length once the header is complete, else None (more
        is needed). Raises `LiveError` when the header cannot serve."""
        self._prefix += chunk
        stream = _Prefix(bytes(self._prefix))
        try:
            info = read_wav_header(stream)
        except AudioFormatError as exc:
            if stream.short and len(self._prefix) < _HEADER_LIMIT:
                return None
            raise LiveError(f"the server's recording cannot be checked: {exc}") from None
        if info.format != self._format:
            found = info.format.describe() if info.format is not None else f"format tag {info.format_tag:#06x}"
            raise LiveError(
                f"the server's recording cannot be checked: it is {found}, the session sent {self._format.describe()}"
            )
        if info.data_size is None:
            raise LiveError("the server's recording cannot be checked: its WAV header does not give its length")
        return info.data_size

    def ended(self) -> LiveError:
        """The download ended before the header did."""
        return LiveError(
            f"the server's recording cannot be checked: its WAV file ends after {len(self._prefix)} bytes, "
            "inside the header"
        )
