"""What the sync and async sessions share besides the protocol core: construction, facts, repr."""

from __future__ import annotations

from typing import Any, Self

from .._generated.models.init_streaming_response import InitStreamingResponse
from .._generated.models.post_final_transcript_message import PostFinalTranscriptMessage
from .._generated.models.streaming_request import StreamingRequest
from .._generated.models.streaming_request_params_response import StreamingRequestParamsResponse
from .._generated.models.transcript_message import TranscriptMessage
from .._redaction import proxy_credentials, register
from ._audio import AudioFormat
from ._errors import LiveError
from ._masking import mask_url, url_secrets
from ._messages import GenericMessage, LiveMessage
from ._options import LiveOptions
from ._protocol import LiveProtocol, LiveState, LiveStats

__all__ = ["FinalResult", "FormatLike", "SessionBase", "format_of", "is_transcript"]

FormatLike = AudioFormat | StreamingRequest | StreamingRequestParamsResponse | None


def format_of(audio: FormatLike) -> AudioFormat:
    if audio is None:
        return AudioFormat()
    if isinstance(audio, AudioFormat):
        return audio
    return AudioFormat.from_request(audio)


def is_transcript(message: LiveMessage, final_only: bool) -> bool:
    return isinstance(message, TranscriptMessage) and (not final_only or message.data.is_final)


class FinalResult:
    """Collects the `post_final_transcript` message from a session's messages (both shells feed it)."""

    def __init__(self) -> None:
        self._result: PostFinalTranscriptMessage | None = None
        self._untyped: GenericMessage | None = None

    def feed(self, message: LiveMessage) -> None:
        if isinstance(message, PostFinalTranscriptMessage):
            self._result = message
        elif isinstance(message, GenericMessage) and message.type == "post_final_transcript":
            self._untyped = message

    def result(self) -> PostFinalTranscriptMessage:
        if self._result is not None:
            return self._result
        if self._untyped is not None:
            raise LiveError(
                "the post_final_transcript message does not fit its schema "
                f"({self._untyped.reason}); its raw JSON is this error's `server_message.raw`"
            ).with_server_message(self._untyped)
        raise LiveError(
            "the session ended without a post_final_transcript message "
            "(is messages_config.receive_post_processing_events off?)"
        )


class SessionBase:
    """Facts about a session, identical in both shells; all logic lives in `self._core`."""

    def __init__(
        self,
        url: str,
        *,
        session_id: str | None = None,
        audio_format: FormatLike = None,
        options: LiveOptions | None = None,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("ws://", "wss://")):
            raise ValueError(f"a live session URL starts with ws:// or wss://, got {mask_url(str(url))!r}")
        self._url = url
        self._core = LiveProtocol(format_of(audio_format), options, session_id=session_id)
        # Masked in every message, log record (websockets' included) and repr while the session lives.
        register(self, *url_secrets(url), *proxy_credentials(self._core.options.proxy))

    @classmethod
    def from_init_response(
        cls,
        response: InitStreamingResponse,
        audio_format: FormatLike = None,
        *,
        options: LiveOptions | None = None,
    ) -> Self:
        """Attach to a session created by `POST /v2/live` (no new POST): its `url` and `id`.

        `audio_format` is the session's format: the `StreamingRequest` it was created with, the job's
        `request_params`, or an `AudioFormat` (default: 16 kHz 16-bit mono PCM, the API's defaults). The
        session must have been created with `messages_config.receive_acknowledgments` on (the default):
        audio is kept until acknowledged.
        """
        return cls(response.url, session_id=str(response.id), audio_format=audio_format, options=options)

    @property
    def session_id(self) -> str | None:
        return self._core.session_id

    @property
    def url(self) -> str:
        """The WebSocket URL with its token masked (the real one is never exposed)."""
        return mask_url(self._url)

    @property
    def audio_format(self) -> AudioFormat:
        return self._core.audio_format

    @property
    def options(self) -> LiveOptions:
        return self._core.options

    @property
    def state(self) -> LiveState:
        return self._core.state

    @property
    def error(self) -> LiveError | None:
        """Why the session failed, once `state` is FAILED."""
        return self._core.error

    @property
    def stats(self) -> LiveStats:
        return self._core.stats()

    @property
    def bytes_sent(self) -> int:
        """Distinct audio bytes sent at least once."""
        return self._core.stats().bytes_sent

    @property
    def bytes_acknowledged(self) -> int:
        """Audio the server acknowledged, so committed."""
        return self._core.bytes_acknowledged

    @property
    def reconnections(self) -> int:
        return self._core.stats().reconnections

    def __repr__(self) -> str:
        stats = self._core.stats()
        details: dict[str, Any] = {
            "session_id": self.session_id,
            "url": self.url,
            "state": stats.state.value,
            "bytes_sent": stats.bytes_sent,
            "bytes_acknowledged": stats.bytes_acknowledged,
            "reconnections": stats.reconnections,
        }
        return f"<{type(self).__name__} " + " ".join(f"{key}={value!r}" for key, value in details.items()) + ">"
