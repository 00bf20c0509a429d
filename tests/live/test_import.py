"""Importing the package (and the live layer) must not import `websockets` (import-time benchmark)."""

from __future__ import annotations

import subprocess
import sys


def test_websockets_is_imported_only_when_a_session_connects() -> None:
    code = (
        "import sys, gladia_live_client, gladia_live_client._live; gladia_live_client.LiveSession;"
        "print('websockets' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "False"
