"""Importing the client layer stays cheap: models, endpoint modules and heavy libraries load on first use."""

from __future__ import annotations

import json
import subprocess
import sys

LAZY = [
    "gladia_live_client.models",
    "gladia_live_client._generated.api.live_v2.get_job",
    "gladia_live_client._generated.api.live_v2.init_session",
    "httpx_retries",
    "websockets",
    "starlette",
    "uvicorn",
]


def modules_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(json.loads(output))


def test_importing_the_layer_loads_nothing_heavy() -> None:
    baseline = modules_after("import httpx")
    loaded = modules_after("import gladia_live_client")
    assert [name for name in LAZY if name in loaded] == []
    # Beyond httpx, only the package itself (and attrs, which the generated models need) is imported, and
    # contextvars (built into the interpreter), which carries each call's deadline.
    own = ("gladia_live_client", "attrs", "attr", "contextvars", "_contextvars")
    extra = {name for name in loaded - baseline if not name.startswith(own)}
    assert extra == set()


def test_the_first_call_loads_what_it_needs() -> None:
    loaded = modules_after(
        "import httpx; from gladia_live_client import GladiaLive;"
        "c = GladiaLive(api_key='k', transport=httpx.MockTransport(lambda r: httpx.Response(404)));"
        "exec('try: c.get_job(\"x\")\\nexcept Exception: pass')"
    )
    assert {"gladia_live_client._generated.api.live_v2.get_job", "httpx_retries"} <= loaded
