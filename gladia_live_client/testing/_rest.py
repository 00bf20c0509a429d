"""The six REST operations of `/v2/live`, with upstream-shaped errors, authentication and REST faults."""

from __future__ import annotations

import contextlib
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse as _StarletteJSONResponse
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from ._context import ServerContext
from ._faults import HttpFault
from ._json import dumps, loads
from ._session import ServerSession, new_request_id, now, timestamp
from ._spec import BODY_SCHEMAS, QueryError, effective_params, parse_list_query, parse_region, validate_body

__all__ = ["OPERATIONS", "error_response", "not_found", "operation_endpoint"]

MAX_INIT_BODY = 1024 * 1024
MAX_PATCH_BODY = 100 * 1024  # "must be a json object no longer that 100kb"
_WAV_CHUNK = 256 * 1024

Handler = Callable[[ServerContext, Request], Awaitable[Response]]


class JSONResponse(_StarletteJSONResponse):
    """Compact JSON that always encodes (see `_json.dumps`)."""

    def render(self, content: Any) -> bytes:
        return dumps(content).encode()


def error_response(
    request: Request,
    status: int,
    message: str,
    *,
    validation_errors: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An error body shaped like upstream's: statusCode, message, request_id, timestamp, path."""
    body: dict[str, Any] = {
        "timestamp": timestamp(now()),
        "path": request.url.path,
        "request_id": new_request_id(),
        "statusCode": status,
        "message": message,
    }
    if validation_errors is not None:
        body["validation_errors"] = validation_errors
    return JSONResponse(body, status_code=status, headers=headers)


async def not_found(request: Request, exc: Exception) -> Response:
    """Unknown routes, and known paths with another method, answer like upstream: 404 `Cannot GET /path`."""
    return error_response(request, 404, f"Cannot {request.method} {request.url.path}")


# -- faults ---------------------------------------------------------------------------------------------


class _ResetConnection(Response):
    """Closes the client's TCP connection with a reset and sends nothing."""

    def __init__(self, ctx: ServerContext) -> None:
        super().__init__()
        self._ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = tuple(scope.get("client") or ())
        connections = getattr(getattr(self._ctx.http_server, "server_state", None), "connections", ())
        for protocol in list(connections):
            transport = getattr(protocol, "transport", None)
            if transport is None or tuple(getattr(protocol, "client", None) or ()) != client:
                continue
            sock = transport.get_extra_info("socket")
            if sock is not None:
                # Linger 0: close() sends RST rather than FIN, as a crashed peer or a cut network would.
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
            break
        # Wait for the server to notice the disconnection, so it does not answer in our place.
        while (await receive())["type"] != "http.disconnect":
            pass


def _fault_response(request: Request, fault: HttpFault) -> Response:
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        headers["retry-after"] = f"{fault.retry_after:g}"
    body = fault.body
    if body is None:
        try:
            phrase = HTTPStatus(fault.status).phrase
        except ValueError:
            phrase = "Error"
        response: Response = error_response(request, fault.status, phrase, headers=headers)
        if fault.content_type:
            response.headers["content-type"] = fault.content_type
        return response
    if isinstance(body, dict):
        default_type, content = "application/json", dumps(body).encode()
    elif isinstance(body, str):
        default_type, content = "text/plain; charset=utf-8", body.encode()
    else:
        default_type, content = "application/octet-stream", body
    # Given as a header, the content type is sent exactly as chosen (Starlette adds no charset to it).
    headers["content-type"] = fault.content_type or default_type
    return Response(content, status_code=fault.status, headers=headers)


def _operation(operation_id: str, handler: Handler, ctx: ServerContext) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler: count the request, fire armed faults, then authenticate."""

    async def endpoint(request: Request) -> Response:
        ctx.store.request_counts[operation_id] += 1
        fault = ctx.faults.take_http(operation_id)
        if fault is not None:
            if fault.kind == "reset":
                return _ResetConnection(ctx)
            if fault.kind == "fail":
                return _fault_response(request, fault)
            await ctx.pause(fault.seconds)
        key = request.headers.get("x-gladia-key", "")
        if not key:
            return error_response(request, 401, "no gladia key provided")
        if ctx.api_key is not None and key != ctx.api_key:
            return error_response(request, 401, "gladia user not found")
        return await handler(ctx, request)

    endpoint.__name__ = operation_id
    return endpoint


# -- helpers --------------------------------------------------------------------------------------------


def _base_url(ctx: ServerContext, *, websocket: bool = False) -> str:
    """The server's own base URL (`ws`/`wss` for a WebSocket): never built from the request's headers."""
    if websocket:
        return "ws" + ctx.public_url.removeprefix("http")
    return ctx.public_url


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is longer than `limit` (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _json_body(request: Request, body: bytes) -> tuple[Any, str | None]:
    """Decode a JSON body; (value, None) or (None, problem)."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        return None, f"body: Content-Type must be application/json, got {content_type!r}"
    if not body:
        return None, "body: required, got an empty body"
    try:
        return loads(body), None
    except ValueError as exc:
        return None, f"body: not valid JSON ({exc})"


def _session_or_404(ctx: ServerContext, request: Request) -> ServerSession | Response:
    session = ctx.store.get(request.path_params["id"])
    if session is None:
        return error_response(request, 404, f"live job {request.path_params['id']!r} not found")
    return session


# -- operations -----------------------------------------------------------------------------------------


async def init_session(ctx: ServerContext, request: Request) -> Response:
    try:
        region = parse_region(request.query_params)
    except QueryError as exc:
        return error_response(request, 400, "invalid query parameters", validation_errors=exc.problems)
    raw = await _read_body(request, MAX_INIT_BODY)
    if raw is None:
        return error_response(request, 400, "request body too large", validation_errors=["body: over 1 MiB"])
    body, problem = _json_body(request, raw)
    if problem is not None:
        return error_response(request, 400, "invalid request body", validation_errors=[problem])
    problems = validate_body(BODY_SCHEMAS["init_session"], body)
    if problems:
        return error_response(request, 400, "invalid request body", validation_errors=problems)
    session = ctx.store.create(
        params=effective_params(body), custom_metadata=body.get("custom_metadata"), region=region
    )
    url = f"{_base_url(ctx, websocket=True)}/v2/live?token={session.token}"
    return JSONResponse({"id": session.id, "created_at": timestamp(session.created_at), "url": url}, status_code=201)


async def list_jobs(ctx: ServerContext, request: Request) -> Response:
    try:
        query = parse_list_query(request.query_params)
    except QueryError as exc:
        return error_response(request, 400, "invalid query parameters", validation_errors=exc.problems)
    page, more = ctx.store.list(query)
    kept = [(key, value) for key, value in request.query_params.multi_items() if key not in ("offset", "limit")]
    base = f"{_base_url(ctx)}{request.url.path}"

    def link(offset: int) -> str:
        return f"{base}?{urlencode([*kept, ('offset', offset), ('limit', query.limit)])}"

    return JSONResponse(
        {
            "first": link(0),
            "current": link(query.offset),
            "next": link(query.offset + query.limit) if more else None,
            "items": [session.to_json(detail=False) for session in page],
        }
    )


async def get_job(ctx: ServerContext, request: Request) -> Response:
    found = _session_or_404(ctx, request)
    if isinstance(found, Response):
        return found
    return JSONResponse(found.to_json())


async def delete_job(ctx: ServerContext, request: Request) -> Response:
    found = _session_or_404(ctx, request)
    if isinstance(found, Response):
        return found
    if not found.finished:
        return error_response(request, 403, f"live job is {found.status}: it can be deleted once it is done")
    ctx.store.delete(found)
    return Response(status_code=202)


async def patch_job(ctx: ServerContext, request: Request) -> Response:
    found = _session_or_404(ctx, request)
    if isinstance(found, Response):
        return found
    raw = await _read_body(request, MAX_PATCH_BODY)
    if raw is None:
        return error_response(
            request, 413, "The post_request_metadata parameter must be a json object no longer that 100kb"
        )
    body, problem = _json_body(request, raw)
    if problem is None and not isinstance(body, dict):
        problem = f"body: must be a JSON object, got {type(body).__name__ if body is not None else 'null'}"
    if problem is None:
        problems = validate_body(BODY_SCHEMAS["patch_job"], body)
        problem = problems[0] if problems else None
    if problem is not None:
        return error_response(request, 400, "invalid request body", validation_errors=[problem])
    found.post_session_metadata = body
    return Response(status_code=204)


async def get_audio(ctx: ServerContext, request: Request) -> Response:
    found = _session_or_404(ctx, request)
    if isinstance(found, Response):
        return found
    # The audio committed so far. A finished session's audio never changes again (a DELETE rebinds it) and
    # streams without a copy; a running one's is copied, since it may grow meanwhile.
    audio = found.audio if found.finished else bytes(found.audio)
    header = found.format.wav_header(len(audio))
    padding = b"\x00" if len(audio) % 2 else b""

    async def chunks() -> AsyncIterator[bytes]:
        yield header
        with memoryview(audio) as view:
            for offset in range(0, len(audio), _WAV_CHUNK):
                yield bytes(view[offset : offset + _WAV_CHUNK])
        if padding:
            yield padding

    headers = {
        "content-length": str(len(header) + len(audio) + len(padding)),
        "content-disposition": f'attachment; filename="{found.id}.wav"',
    }
    return StreamingResponse(chunks(), media_type="application/octet-stream", headers=headers)


OPERATIONS: dict[str, tuple[str, str, Handler]] = {
    "init_session": ("POST", "/v2/live", init_session),
    "list_jobs": ("GET", "/v2/live", list_jobs),
    "get_job": ("GET", "/v2/live/{id}", get_job),
    "delete_job": ("DELETE", "/v2/live/{id}", delete_job),
    "patch_job": ("PATCH", "/v2/live/{id}", patch_job),
    "get_audio": ("GET", "/v2/live/{id}/file", get_audio),
}


def operation_endpoint(operation_id: str, ctx: ServerContext) -> Callable[[Request], Awaitable[Response]]:
    return _operation(operation_id, OPERATIONS[operation_id][2], ctx)
