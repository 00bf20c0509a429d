"""The README snippets on dict requests and on models, executed as written (against the local server)."""

from __future__ import annotations

from typing import Any

import pytest

from .test_e2e_request_dicts import RecordingTransport
from .test_readme_network import snippet


@pytest.mark.usefixtures("no_dead_clients")
def test_the_dict_request_snippet_runs(
    server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import gladia_live_client

    monkeypatch.setenv("GLADIA_API_KEY", server.api_key)
    monkeypatch.setenv("GLADIA_API_URL", server.base_url)
    transport = RecordingTransport()
    original = gladia_live_client.GladiaLive

    def recording_client(**kwargs: Any) -> Any:
        return original(transport=transport, **kwargs)

    monkeypatch.setattr(gladia_live_client, "GladiaLive", recording_client)
    namespace: dict[str, Any] = {}
    exec(compile(snippet("extra_body="), "README.md", "exec"), namespace)

    printed = capsys.readouterr().out
    assert printed.startswith("request.language_config has an unknown field 'languges' (did you mean 'languages'?). ")
    assert transport.bodies == [
        {
            "encoding": "wav/pcm",
            "sample_rate": 16000,
            "language_config": {"languages": ["en"], "brand_new_option": True},
        }
    ]
    assert server.job(str(namespace["session"].id))["status"] == "queued"


def test_the_models_snippet_runs(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(snippet("SpeechStartMessage.from_json"), "README.md", "exec"), namespace)
    printed = capsys.readouterr().out.strip()
    assert printed == (
        "SpeechStartMessage(session_id='s-1', created_at='2025-09-19T12:34:20Z', "
        "type=<SpeechStartMessageType.SPEECH_START: 'speech_start'>, data=SpeechMessageData(time=1.5, channel=0))"
    )
    comment = snippet("SpeechStartMessage.from_json").split("print(message)  # ")[1].splitlines()[0]
    head, tail = comment.split(", ..., ")
    assert printed.startswith(head), "the README's comment shows what is printed"
    assert printed.endswith(tail), "the README's comment shows what is printed"
