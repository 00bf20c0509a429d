"""Bad arguments to the local server's public API raise `GladiaError` subclasses (still `ValueError`/`TypeError`).

Each case here is also checked for its message where the feature is tested; this file checks the class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gladia_live_client import ConfigurationError, ConfigurationTypeError, GladiaError, InvalidRequestError
from gladia_live_client.testing import ChaosPlan, ChaosProxy, Faults, Flow, LocalGladiaServer

CASES: dict[str, tuple[Callable[[], Any], type[GladiaError], type[Exception]]] = {
    "server api_key": (lambda: LocalGladiaServer(api_key=""), ConfigurationError, ValueError),
    "server public_url": (lambda: LocalGladiaServer(public_url="ftp://x"), ConfigurationError, ValueError),
    "server idle_timeout": (lambda: LocalGladiaServer(idle_timeout=0), ConfigurationError, ValueError),
    "server processing_delay": (lambda: LocalGladiaServer(processing_delay=-1), ConfigurationError, ValueError),
    "server transcript_script": (lambda: LocalGladiaServer(transcript_script="words"), ConfigurationError, ValueError),
    "server request_count": (lambda: LocalGladiaServer().request_count("nope"), InvalidRequestError, ValueError),
    "fault operation": (lambda: Faults().fail_next("nope"), InvalidRequestError, ValueError),
    "fault status": (lambda: Faults().fail_next("get_job", status=99), InvalidRequestError, ValueError),
    "fault count": (lambda: Faults().reset_next("get_job", count=0), InvalidRequestError, ValueError),
    "fault close code": (lambda: Faults().ws_drop_after(1, close_code=1006), InvalidRequestError, ValueError),
    "fault tcp_cut": (lambda: _network_faults().tcp_cut(), InvalidRequestError, ValueError),
    "flow": (lambda: Flow(cut_after_bytes=-1), ConfigurationError, ValueError),
    "plan direction": (lambda: ChaosPlan.cut(1, direction="sideways"), ConfigurationError, ValueError),
    "proxy max_connections": (lambda: ChaosProxy("127.0.0.1", 1, max_connections=0), ConfigurationError, ValueError),
    "proxy plans": (lambda: ChaosProxy("127.0.0.1", 1, plans=["cut"]), ConfigurationTypeError, TypeError),
    "proxy planner": (lambda: ChaosProxy("127.0.0.1", 1, planner=3), ConfigurationTypeError, TypeError),
}


def _network_faults() -> Faults:
    faults = Faults()
    faults.network_faults_enabled = True
    return faults


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_argument_raises_a_gladia_error(case: str) -> None:
    call, error, builtin = CASES[case]
    with pytest.raises(error) as caught:
        call()
    assert isinstance(caught.value, GladiaError)
    assert isinstance(caught.value, builtin)  # callers that caught the builtin still do
