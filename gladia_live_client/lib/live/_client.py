"""How `GladiaLive.live()` / `AsyncGladiaLive.live()` (and `attach_live()`) open sessions.

The client classes delegate here, so the live layer stays in this package: a session is created with
`POST /v2/live` (acknowledgements forced on: the session keeps audio until acknowledged), or attached to an
existing one from its init response without a new POST.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...models.init_streaming_response import InitStreamingResponse
from ...models.streaming_request import StreamingRequest
from ...models.streaming_request_params_response import StreamingRequestParamsResponse
from ...models.streaming_supported_regions import StreamingSupportedRegions
from ...types import Unset
from .. import _validation
from ._async import AsyncLiveSession
from ._audio import AudioFormat
from ._base import FormatLike
from ._errors import LiveStateError
from ._options import LiveOptions
from ._sync import LiveSession

if TYPE_CHECKING:
    from .._async_client import AsyncGladiaLive
    from .._client import GladiaLive

__all__ = [
    "FormatLike",
    "RequestLike",
    "attach_async_session",
    "attach_session",
    "open_async_session",
    "open_session",
    "with_acknowledgments",
]

RequestLike = StreamingRequest | Mapping[str, Any]
RegionLike = StreamingSupportedRegions | str | None


def with_acknowledgments(request: RequestLike) -> StreamingRequest:
    """A copy of `request` with `messages_config.receive_acknowledgments` on (the caller's object is untouched).

    Everything else the caller set is kept, and nothing else is added, so the server's defaults still apply.
    """
    body = _validation.streaming_request(request).to_dict()
    messages = dict(body.get("messages_config") or {})
    messages["receive_acknowledgments"] = True
    body["messages_config"] = messages
    return StreamingRequest.from_dict(body)


def _sync_with_rest(client: GladiaLive, session: LiveSession) -> LiveSession:
    """Let the session fetch its final result over REST when the server refuses the connection after
    everything was acknowledged (a bare `LiveSession(url)` has no REST client, so it raises instead)."""
    session._get_job = client.get_job
    session._core.can_fetch_result = True
    return session


def _async_with_rest(client: AsyncGladiaLive, session: AsyncLiveSession) -> AsyncLiveSession:
    session._get_job = client.get_job
    session._core.can_fetch_result = True
    return session


def open_session(
    client: GladiaLive, request: RequestLike, region: RegionLike = None, options: LiveOptions | None = None
) -> LiveSession:
    body = with_acknowledgments(request)
    init = client.init_session(body, region)
    return _sync_with_rest(client, LiveSession.from_init_response(init, body, options=options))


async def open_async_session(
    client: AsyncGladiaLive, request: RequestLike, region: RegionLike = None, options: LiveOptions | None = None
) -> AsyncLiveSession:
    body = with_acknowledgments(request)
    init = await client.init_session(body, region)
    return _async_with_rest(client, AsyncLiveSession.from_init_response(init, body, options=options))


def _format_from_job(params: StreamingRequestParamsResponse | None | Unset) -> AudioFormat:
    if not isinstance(params, StreamingRequestParamsResponse):
        return AudioFormat()
    messages = params.messages_config
    if not isinstance(messages, Unset) and messages.receive_acknowledgments is False:
        raise LiveStateError(
            "this session was created with messages_config.receive_acknowledgments off: without "
            "acknowledgements audio cannot be resent after a drop, so a live session cannot attach to it"
        )
    return AudioFormat.from_request(params)


def _session_format(request: FormatLike | RequestLike) -> FormatLike:
    if isinstance(request, Mapping):
        return _validation.streaming_request(request)
    return request


def attach_session(
    client: GladiaLive,
    init: InitStreamingResponse,
    request: FormatLike | RequestLike = None,
    options: LiveOptions | None = None,
) -> LiveSession:
    if request is None:
        audio_format: FormatLike = _format_from_job(client.get_job(init.id).request_params)
    else:
        audio_format = _session_format(request)
    return _sync_with_rest(client, LiveSession.from_init_response(init, audio_format, options=options))


async def attach_async_session(
    client: AsyncGladiaLive,
    init: InitStreamingResponse,
    request: FormatLike | RequestLike = None,
    options: LiveOptions | None = None,
) -> AsyncLiveSession:
    if request is None:
        job = await client.get_job(init.id)
        audio_format: FormatLike = _format_from_job(job.request_params)
    else:
        audio_format = _session_format(request)
    return _async_with_rest(client, AsyncLiveSession.from_init_response(init, audio_format, options=options))
