"""The ASGI application: REST and WebSocket routes of `/v2/live` on one Starlette app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute

from ._context import ServerContext
from ._rest import OPERATIONS, not_found, operation_endpoint
from ._websocket import websocket_endpoint

__all__ = ["build_app"]


def build_app(ctx: ServerContext, *, on_startup: Callable[[], None] | None = None) -> Starlette:
    """The app serving `ctx`; its lifespan calls `on_startup` and cancels background tasks on shutdown."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if on_startup is not None:
            on_startup()
        yield
        tasks = list(ctx.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    routes: list[Route | WebSocketRoute] = [
        Route(path, operation_endpoint(operation_id, ctx), methods=[method])
        for operation_id, (method, path, _) in OPERATIONS.items()
    ]
    routes.append(WebSocketRoute("/v2/live", websocket_endpoint))
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found}, lifespan=lifespan)
    # Upstream answers `/v2/live/` with 404 like any unknown path, not with a redirect.
    app.router.redirect_slashes = False
    app.state.ctx = ctx
    return app
