"""Live sessions: stream audio to Gladia over a WebSocket and receive typed messages, without losing audio.

One I/O-free protocol core (`_protocol.LiveProtocol`) holds every state rule, and `_shell.SessionShell` every
decision the I/O acts on; `LiveSession` (threads, on `websockets.sync`) and `AsyncLiveSession` (asyncio, on
`websockets.asyncio`) are thin shells that only move bytes and wait.
`websockets` is imported only when a session connects, so importing this package stays cheap.
"""

from ._async import AsyncLiveSession
from ._audio import AudioFormat, WavInfo, read_wav_header
from ._errors import (
    AudioFormatError,
    LiveBacklogError,
    LiveCallbackError,
    LiveConnectionError,
    LiveError,
    LiveHandshakeRejected,
    LiveSessionClosed,
    LiveSessionEnded,
    LiveSessionIncomplete,
    LiveStateError,
    LiveTimeoutError,
)
from ._masking import mask_url
from ._messages import GenericMessage, LiveMessage, parse_server_message
from ._options import KeepaliveMode, LiveOptions
from ._policy import ReconnectPolicy, is_terminal_close, is_terminal_handshake_status
from ._protocol import LiveState, LiveStats
from ._sync import LiveSession

__all__ = [
    "AsyncLiveSession",
    "AudioFormat",
    "AudioFormatError",
    "LiveBacklogError",
    "LiveCallbackError",
    "GenericMessage",
    "KeepaliveMode",
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
    "is_terminal_close",
    "is_terminal_handshake_status",
    "mask_url",
    "parse_server_message",
    "read_wav_header",
]
