"""A local, Gladia-compatible live API server for tests and demos (extra: `gladia-live-client[testing]`).

    from gladia_live_client.testing import LocalGladiaServer

    with LocalGladiaServer() as server:
        ...  # talk to server.base_url with the key server.api_key

It implements the six REST operations of `openapi.yaml` and the live WebSocket, stateful and in memory, with
fault injection (`server.faults`). The pytest fixtures `gladia_server` and `chaos_proxy` and the command line
`python -m gladia_live_client.testing` come with it. README.md next to this file documents the behaviour.

`ChaosProxy` (standard library only) is a TCP proxy that cuts, stalls, delays and throttles connections, to put
in front of any server.

`LocalGladiaServer` needs the `testing` extra (Starlette, uvicorn, jsonschema-rs); it is imported on first
use so that this package, and the pytest plugin living in it, import without the extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._chaos import ChaosPlan, ChaosProxy, ConnectionInfo, ConnectionRecord, Flow
from ._errors import LocalServerError
from ._faults import Faults
from ._recognizer import DEFAULT_SCRIPT

if TYPE_CHECKING:
    from ._server import LocalGladiaServer

__all__ = [
    "DEFAULT_SCRIPT",
    "ChaosPlan",
    "ChaosProxy",
    "ConnectionInfo",
    "ConnectionRecord",
    "Faults",
    "Flow",
    "LocalGladiaServer",
    "LocalServerError",
]

_EXTRA_HINT = "the local Gladia server needs the testing extra: pip install 'gladia-live-client[testing]'"


def __getattr__(name: str) -> Any:
    if name == "LocalGladiaServer":
        try:
            from ._server import LocalGladiaServer
        except ImportError as exc:
            raise ImportError(f"{_EXTRA_HINT} ({exc})", name=exc.name) from exc
        return LocalGladiaServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
