"""How `GladiaLive.live()` / `AsyncGladiaLive.live()` (and `attach_live()`) open sessions.

The client classes delegate here, so the live layer stays in this package: a session is created with
`POST /v2/live` (acknowledgements forced on: the session keeps audio until acknowledged), or attached to an
existing one from its init response without a new POST.

Before a session connects, its URL is checked against the client's API address: an https API that answers a
cleartext ``ws://`` URL raises `InsecureSessionURLError` (the token would travel unencrypted), unless the
client was built with ``allow_cleartext_websocket=True``. An http API (a local server) may answer ``ws://``.
A client built with ``trust_env=False`` also keeps its sessions off the proxy environment variables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from .. import _validation
from .._exceptions import InsecureSessionURLError
from .._generated.models.init_streaming_response import InitStreamingResponse
from .._generated.models.streaming_request import StreamingRequest
from .._generated.models.streaming_request_params_response import StreamingRequestParamsResponse
from .._generated.models.streaming_supported_regions import StreamingSupportedRegions
from .._generated.types import Unset, mask_url_secrets
from ._async import AsyncLiveSession
from ._audio import AudioFormat
from ._errors import LiveStateError
from ._options import LiveOptions
from ._shell import FormatLike
from ._sync import LiveSession

if TYPE_CHECKING:
    from .._async_client import AsyncGladiaLive
    from .._client import GladiaLive
    from .._config import ClientConfig

__all__ = [
    "FormatLike",
    "RequestLike",
    "attach_async_session",
    "attach_session",
    "check_session_url",
    "open_async_session",
    "open_session",
    "session_options",
    "with_acknowledgments",
]

RequestLike = StreamingRequest | Mapping[str, Any]
SessionT = TypeVar("SessionT", LiveSession, AsyncLiveSession)
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


def check_session_url(config: ClientConfig, init: InitStreamingResponse) -> None:
    """Refuse a cleartext ``ws://`` session URL from an https API, before anything connects to it."""
    if config.allow_cleartext_websocket or urlsplit(config.base_url).scheme != "https":
        return
    url = urlsplit(init.url)
    if url.scheme.lower() == "ws":
        raise InsecureSessionURLError(
            f"the API at {mask_url_secrets(config.base_url)} answered a cleartext ws:// session URL (host {url.netloc.rpartition('@')[2]}"
            f"): connecting would send the session token unencrypted, so session {init.id} was not connected. "
            "Use an API that answers wss://, or pass allow_cleartext_websocket=True to the client (local testing only).",
            session_id=str(init.id),
        )


def session_options(config: ClientConfig, options: LiveOptions | None) -> LiveOptions | None:
    """``options`` with the client's ``trust_env=False`` applied: the environment's proxies are not used.

    Only the default (``proxy=True``: the environment decides) changes to a direct connection; a proxy URL
    given in `LiveOptions` is the caller's explicit choice and stays.
    """
    if config.trust_env or (options is not None and options.proxy is not True):
        return options
    return dataclasses.replace(options or LiveOptions(), proxy=None)


def _with_rest(session: SessionT, client: GladiaLive | AsyncGladiaLive) -> SessionT:
    """`session` able to fetch its final result through `client` when the server refuses the connection after
    stop_recording (a bare `LiveSession(url)` has no REST client, so it raises instead)."""
    return session._use_rest(client.get_job, client.iter_audio)


def open_session(
    client: GladiaLive, request: RequestLike, region: RegionLike = None, options: LiveOptions | None = None
) -> LiveSession:
    body = with_acknowledgments(request)
    init = client.init_session(body, region)
    check_session_url(client._config, init)
    options = session_options(client._config, options)
    return _with_rest(LiveSession.from_init_response(init, body, options=options), client)


async def open_async_session(
    client: AsyncGladiaLive, request: RequestLike, region: RegionLike = None, options: LiveOptions | None = None
) -> AsyncLiveSession:
    body = with_acknowledgments(request)
    init = await client.init_session(body, region)
    check_session_url(client._config, init)
    options = session_options(client._config, options)
    return _with_rest(AsyncLiveSession.from_init_response(init, body, options=options), client)


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


def attach_session(
    client: GladiaLive,
    init: InitStreamingResponse,
    request: FormatLike | RequestLike = None,
    options: LiveOptions | None = None,
) -> LiveSession:
    check_session_url(client._config, init)
    options = session_options(client._config, options)
    request = request if request is not None else _format_from_job(client.get_job(init.id).request_params)
    return _with_rest(LiveSession.from_init_response(init, request, options=options), client)


async def attach_async_session(
    client: AsyncGladiaLive,
    init: InitStreamingResponse,
    request: FormatLike | RequestLike = None,
    options: LiveOptions | None = None,
) -> AsyncLiveSession:
    check_session_url(client._config, init)
    options = session_options(client._config, options)
    request = request if request is not None else _format_from_job((await client.get_job(init.id)).request_params)
    return _with_rest(AsyncLiveSession.from_init_response(init, request, options=options), client)
