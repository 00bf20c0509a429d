"""gladia-live-client: a typed client for Gladia's live (real-time) speech-to-text API v2.

This module is the front door: the REST clients, the live sessions and their options, and every exception
are imported from here and nowhere else. Models and enums live in `gladia_live_client.models`, the UNSET
sentinel and request types in `gladia_live_client.types`, the local test server in `gladia_live_client.testing`.

Names load on first use (PEP 562), so ``import gladia_live_client`` does not import the models or websockets.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._async_client import AsyncGladiaLive
    from ._client import GladiaLive
    from ._exceptions import (
        APIConnectionError,
        APIError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ClientClosedError,
        ConfigurationError,
        ConfigurationTypeError,
        DeadlineExceededError,
        GladiaError,
        InsecureSessionURLError,
        InternalServerError,
        InvalidRequestError,
        NotFoundError,
        PayloadTooLargeError,
        PermissionDeniedError,
        RateLimitError,
        ResponseTooLargeError,
        UnprocessableEntityError,
    )
    from ._live import (
        AsyncLiveSession,
        AudioFormat,
        AudioFormatError,
        GenericMessage,
        KeepaliveMode,
        LiveBacklogError,
        LiveCallbackError,
        LiveConnectionError,
        LiveError,
        LiveHandshakeRejected,
        LiveMessage,
        LiveOptions,
        LiveSession,
        LiveSessionClosed,
        LiveSessionEnded,
        LiveSessionIncomplete,
        LiveState,
        LiveStateError,
        LiveStats,
        LiveTimeoutError,
        ReconnectPolicy,
        WavInfo,
        parse_server_message,
        read_wav_header,
    )
    from ._live._decode import AudioDecodeError, DecoderNotInstalledError, decode_audio
    from ._live._microphone import (
        Microphone,
        MicrophoneError,
        MicrophoneNotInstalledError,
        list_microphones,
        microphone,
    )
    from ._options import RequestOptions
    from ._raw_response import RawResponse

# Each public name and the private module that defines it; __all__ lists the same names (a test checks).
_EXPORTS: dict[str, str] = {
    "AsyncGladiaLive": "._async_client",
    "GladiaLive": "._client",
    "RawResponse": "._raw_response",
    "RequestOptions": "._options",
    **dict.fromkeys(
        [
            "APIConnectionError",
            "APIError",
            "APIResponseValidationError",
            "APIStatusError",
            "APITimeoutError",
            "AuthenticationError",
            "BadRequestError",
            "ClientClosedError",
            "ConfigurationError",
            "ConfigurationTypeError",
            "DeadlineExceededError",
            "GladiaError",
            "InsecureSessionURLError",
            "InternalServerError",
            "InvalidRequestError",
            "NotFoundError",
            "PayloadTooLargeError",
            "PermissionDeniedError",
            "RateLimitError",
            "ResponseTooLargeError",
            "UnprocessableEntityError",
        ],
        "._exceptions",
    ),
    **dict.fromkeys(
        [
            "AsyncLiveSession",
            "AudioFormat",
            "AudioFormatError",
            "GenericMessage",
            "KeepaliveMode",
            "LiveBacklogError",
            "LiveCallbackError",
            "LiveConnectionError",
            "LiveError",
            "LiveHandshakeRejected",
            "LiveMessage",
            "LiveOptions",
            "LiveSession",
            "LiveSessionClosed",
            "LiveSessionEnded",
            "LiveSessionIncomplete",
            "LiveState",
            "LiveStateError",
            "LiveStats",
            "LiveTimeoutError",
            "ReconnectPolicy",
            "WavInfo",
            "parse_server_message",
            "read_wav_header",
        ],
        "._live",
    ),
    # Decoding any audio or video file with PyAV (the `decode` extra); PyAV is imported only when used.
    **dict.fromkeys(["AudioDecodeError", "DecoderNotInstalledError", "decode_audio"], "._live._decode"),
    # Capture devices with miniaudio (the `mic` extra); miniaudio is imported only when used.
    **dict.fromkeys(
        ["Microphone", "MicrophoneError", "MicrophoneNotInstalledError", "list_microphones", "microphone"],
        "._live._microphone",
    ),
}

__all__ = [
    "__version__",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncGladiaLive",
    "AsyncLiveSession",
    "AudioDecodeError",
    "AudioFormat",
    "AudioFormatError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConfigurationTypeError",
    "DeadlineExceededError",
    "DecoderNotInstalledError",
    "GenericMessage",
    "GladiaError",
    "GladiaLive",
    "InsecureSessionURLError",
    "InternalServerError",
    "InvalidRequestError",
    "KeepaliveMode",
    "LiveBacklogError",
    "LiveCallbackError",
    "LiveConnectionError",
    "LiveError",
    "LiveHandshakeRejected",
    "LiveMessage",
    "LiveOptions",
    "LiveSession",
    "LiveSessionClosed",
    "LiveSessionEnded",
    "LiveSessionIncomplete",
    "LiveState",
    "LiveStateError",
    "LiveStats",
    "LiveTimeoutError",
    "Microphone",
    "MicrophoneError",
    "MicrophoneNotInstalledError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "ReconnectPolicy",
    "RequestOptions",
    "ResponseTooLargeError",
    "UnprocessableEntityError",
    "WavInfo",
    "decode_audio",
    "list_microphones",
    "microphone",
    "parse_server_message",
    "read_wav_header",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
