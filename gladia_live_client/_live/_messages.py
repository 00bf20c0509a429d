"""Parse the server's WebSocket frames into the generated message models; encode the client's actions.

The server's acknowledgements reuse the client's action types (`audio_chunk`, `stop_recording`), so a
frame's schema is picked by direction first (everything parsed here comes from the server), then by `type`.
A frame whose type is unknown, or that does not fit its schema, becomes a `GenericMessage` carrying the raw
JSON: never dropped, never a crash.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from .._generated.models.audio_chunk_ack_message import AudioChunkAckMessage
from .._generated.models.audio_chunk_action import AudioChunkAction
from .._generated.models.audio_chunk_action_data import AudioChunkActionData
from .._generated.models.end_recording_message import EndRecordingMessage
from .._generated.models.end_session_message import EndSessionMessage
from .._generated.models.named_entity_recognition_message import NamedEntityRecognitionMessage
from .._generated.models.post_chapterization_message import PostChapterizationMessage
from .._generated.models.post_final_transcript_message import PostFinalTranscriptMessage
from .._generated.models.post_summarization_message import PostSummarizationMessage
from .._generated.models.post_transcript_message import PostTranscriptMessage
from .._generated.models.sentiment_analysis_message import SentimentAnalysisMessage
from .._generated.models.speech_end_message import SpeechEndMessage
from .._generated.models.speech_start_message import SpeechStartMessage
from .._generated.models.start_recording_message import StartRecordingMessage
from .._generated.models.start_session_message import StartSessionMessage
from .._generated.models.stop_recording_ack_message import StopRecordingAckMessage
from .._generated.models.stop_recording_action import StopRecordingAction
from .._generated.models.transcript_message import TranscriptMessage
from .._generated.models.translation_message import TranslationMessage

__all__ = [
    "SERVER_MESSAGE_MODELS",
    "GenericMessage",
    "LiveMessage",
    "ack_byte_range",
    "decode_server_frame",
    "encode_keepalive",
    "encode_stop_recording",
    "parse_server_message",
    "type_server_message",
]


@dataclass(frozen=True, slots=True)
class GenericMessage:
    """A server frame the client cannot type: an unknown `type`, or a frame that does not fit its schema.

    Attributes:
        type: the frame's `type` field when it had a string one, else None.
        raw: the decoded JSON object (empty when the frame was not a JSON object; see `text`).
        reason: why the frame is not typed, e.g. "unknown message type 'foo'".
        text: the frame as received when it was not a JSON object, else None.
    """

    type: str | None
    raw: Mapping[str, Any] = field(repr=False)
    reason: str
    text: str | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The frame's JSON object (a copy of `raw`), as `to_dict()` of a typed message gives its own."""
        return dict(self.raw)

    def to_json(self, *, indent: int | None = None) -> str:
        """The frame as JSON text: `text` as received when it was not a JSON object, else `raw` serialised."""
        if self.text is not None:
            return self.text
        return json.dumps(self.raw, indent=indent, ensure_ascii=False)


LiveMessage: TypeAlias = (
    AudioChunkAckMessage
    | EndRecordingMessage
    | EndSessionMessage
    | NamedEntityRecognitionMessage
    | PostChapterizationMessage
    | PostFinalTranscriptMessage
    | PostSummarizationMessage
    | PostTranscriptMessage
    | SentimentAnalysisMessage
    | SpeechEndMessage
    | SpeechStartMessage
    | StartRecordingMessage
    | StartSessionMessage
    | StopRecordingAckMessage
    | TranscriptMessage
    | TranslationMessage
    | GenericMessage
)
"""Anything iterating a live session yields: a member of the spec's `LiveServerMessage` union, or a
`GenericMessage`."""


class _FromDict(Protocol):
    def __call__(self, src_dict: Mapping[str, Any], /) -> LiveMessage: ...


# The discriminator mapping of `LiveServerMessage` in openapi.yaml (server -> client direction).
SERVER_MESSAGE_MODELS: Mapping[str, _FromDict] = {
    "audio_chunk": AudioChunkAckMessage.from_dict,
    "end_recording": EndRecordingMessage.from_dict,
    "end_session": EndSessionMessage.from_dict,
    "named_entity_recognition": NamedEntityRecognitionMessage.from_dict,
    "post_chapterization": PostChapterizationMessage.from_dict,
    "post_final_transcript": PostFinalTranscriptMessage.from_dict,
    "post_summarization": PostSummarizationMessage.from_dict,
    "post_transcript": PostTranscriptMessage.from_dict,
    "sentiment_analysis": SentimentAnalysisMessage.from_dict,
    "speech_end": SpeechEndMessage.from_dict,
    "speech_start": SpeechStartMessage.from_dict,
    "start_recording": StartRecordingMessage.from_dict,
    "start_session": StartSessionMessage.from_dict,
    "stop_recording": StopRecordingAckMessage.from_dict,
    "transcript": TranscriptMessage.from_dict,
    "translation": TranslationMessage.from_dict,
}


def decode_server_frame(frame: str | bytes) -> dict[str, Any] | GenericMessage:
    """A server frame's JSON object, or a `GenericMessage` saying why the frame is not one."""
    # Called on every frame: exact `type` checks first (a text frame is a `str`, `json.loads` makes plain
    # dicts), which cost less than `isinstance` against a union.
    if type(frame) is not str and isinstance(frame, bytes | bytearray | memoryview):
        try:
            frame = bytes(frame).decode("utf-8")
        except UnicodeDecodeError:
            return GenericMessage(None, {}, f"binary frame of {len(frame)} bytes that is not UTF-8 text")
    try:
        decoded = json.loads(frame)
    except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested deeper than Python's stack
        return GenericMessage(None, {}, f"not JSON: {exc}", text=frame)
    if type(decoded) is not dict:
        return GenericMessage(None, {}, f"JSON {type(decoded).__name__}, not an object", text=frame)
    return decoded


def type_server_message(decoded: dict[str, Any]) -> LiveMessage:
    """The model of a server JSON object, picked by its `type`; a `GenericMessage` when it cannot be typed."""
    message_type = decoded.get("type")
    if not isinstance(message_type, str):
        return GenericMessage(None, decoded, "no string 'type' field")
    from_dict = SERVER_MESSAGE_MODELS.get(message_type)
    if from_dict is None:
        return GenericMessage(message_type, decoded, f"unknown message type {message_type!r}")
    try:
        return from_dict(decoded)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
        return GenericMessage(message_type, decoded, f"does not fit the {message_type!r} schema ({detail})")


def parse_server_message(frame: str | bytes) -> LiveMessage:
    """Type one frame the server sent. Never raises: what cannot be typed comes back as `GenericMessage`."""
    decoded = decode_server_frame(frame)
    return decoded if isinstance(decoded, GenericMessage) else type_server_message(decoded)


def ack_byte_range(decoded: Mapping[str, Any]) -> tuple[int, int] | None:
    """`data.byte_range` of an `audio_chunk` acknowledgement, when it is two integers, else None."""
    data = decoded.get("data")
    # Exact types (`decoded` comes from `json.loads`): cheaper than `isinstance` on every acknowledgement.
    byte_range = data.get("byte_range") if type(data) is dict else None
    if type(byte_range) is not list or len(byte_range) != 2:
        return None
    start, end = byte_range
    if type(start) is not int or type(end) is not int:  # bool is an int subclass: not an offset
        return None
    return start, end


def encode_stop_recording() -> str:
    """The `stop_recording` action as a JSON text frame."""
    return json.dumps(StopRecordingAction().to_dict(), separators=(",", ":"))


def encode_keepalive() -> str:
    """An `audio_chunk` action carrying zero bytes of audio: a sign of life that leaves the audio unchanged."""
    return json.dumps(AudioChunkAction(data=AudioChunkActionData(chunk="")).to_dict(), separators=(",", ":"))
