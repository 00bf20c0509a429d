"""The ASGI application: REST routes of `/v2/live` on a Starlette app, and the live WebSocket beside it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from ._context import ServerContext
from ._rest import OPERATIONS, not_found, operation_endpoint
from ._websocket import LIVE_PATH, websocket_endpoint

__all__ = ["build_app"]


def build_app(ctx: ServerContext, *, on_startup: Callable[[], None] | None = None) -> ASGIApp:
    """The app serving `ctx`; its lifespan calls `on_startup` and cancels background tasks on shutdown.

    The live WebSocket (`LIVE_PATH`) is served directly, beside the Starlette app rather than through its
    middleware and router: its task wakes up for every audio frame (ten times a second per session), and each
    wake-up resumes every coroutine between uvicorn and the handler. The Starlette stack adds nine of them and
    two wrappers around every message sent, and does nothing for this route (no middleware of its own, no
    exception handler for WebSockets). Every other request, a WebSocket on another path included (refused
    before the handshake, HTTP 403), goes to the Starlette app.
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if on_startup is not None:
            on_startup()
        yield
        tasks = list(ctx.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    routes = [
        Route(path, operation_endpoint(operation_id, ctx), methods=[method])
        for operation_id, (method, path, _) in OPERATIONS.items()
    ]
    rest = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found}, lifespan=lifespan)
    # Upstream answers `/v2/live/` with 404 like any unknown path, not with a redirect.
    rest.router.redirect_slashes = False

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == LIVE_PATH:
            await websocket_endpoint(ctx, WebSocket(scope, receive, send))
        else:
            await rest(scope, receive, send)

    return app
