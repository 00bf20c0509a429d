"""The READMEs teach one import path, and every Python snippet of README.md runs as written.

Each snippet of README.md is run here against a local server (`RUNS`), or by the test named in `ELSEWHERE`,
which picks it by the same marker; a snippet that neither covers fails `test_every_readme_snippet_is_run`.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import io
import logging
import re
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gladia_live_client.testing import LocalGladiaServer
from tests.conftest import ROOT

README = ROOT / "README.md"
READMES = [README, ROOT / "gladia_live_client" / "testing" / "README.md", ROOT / "tests" / "README.md"]
# The modules users import from; each holds its public names in __all__.
PUBLIC_MODULES = (
    "gladia_live_client",
    "gladia_live_client.models",
    "gladia_live_client.types",
    "gladia_live_client.testing",
)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line of its first line, source) of each ```python block of a Markdown text."""
    return [
        (text.count("\n", 0, match.start()) + 2, match.group(1))
        for match in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M)
    ]


def parse(source: str, where: str) -> ast.Module:
    # Snippets may use `await` / `async with` at the top level, as in an async test or a notebook.
    tree = compile(source, where, "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    assert isinstance(tree, ast.Module)
    return tree


def package_imports(tree: ast.Module) -> Iterator[tuple[str, str | None]]:
    """(module, name) for each import of the package in `tree` (name None for ``import module``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "gladia_live_client":
            for alias in node.names:
                yield node.module or "", alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "gladia_live_client":
                    yield alias.name, None


def import_problems(text: str, name: str) -> list[str]:
    """What is wrong with the package imports of the Python blocks of the Markdown `text` (named `name`)."""
    problems = []
    for line, source in python_blocks(text):
        where = f"{name}:{line}"
        for module, imported in package_imports(parse(source, where)):
            if module not in PUBLIC_MODULES:
                problems.append(f"{where}: imports from {module}, not a public module")
            elif imported is not None and imported not in importlib.import_module(module).__all__:
                problems.append(f"{where}: {imported} is not in {module}.__all__")
        for private in re.findall(r"gladia_live_client(?:\.\w+)*\._\w+", source):
            problems.append(f"{where}: names the private {private}")
    return problems


@pytest.mark.parametrize("path", READMES, ids=[str(p.relative_to(ROOT)) for p in READMES])
def test_readme_snippets_import_only_public_names_from_public_modules(path: Path) -> None:
    assert import_problems(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))) == []


def test_the_import_check_catches_private_paths_and_unlisted_names() -> None:
    text = (
        "```python\nfrom gladia_live_client._client import GladiaLive\nfrom gladia_live_client import _EXPORTS\n"
        "import gladia_live_client._live\nprint(gladia_live_client.cli._app)\n```\n"
    )
    assert import_problems(text, "README.md") == [
        "README.md:2: imports from gladia_live_client._client, not a public module",
        "README.md:2: _EXPORTS is not in gladia_live_client.__all__",
        "README.md:2: imports from gladia_live_client._live, not a public module",
        "README.md:2: names the private gladia_live_client._client",
        "README.md:2: names the private gladia_live_client._live",
        "README.md:2: names the private gladia_live_client.cli._app",
    ]


# -- every snippet of README.md runs -----------------------------------------------------------------------------

# Snippets other tests run, by a marker in the snippet -> (the test file, the text it finds the snippet by).
ELSEWHERE = {
    "trust_env=False": ("tests/client/test_readme_network.py", "trust_env=False"),
    '"/dev/null"': ("tests/client/test_readme_network.py", '"/dev/null"'),
    "ResponseTooLargeError as exc": ("tests/client/test_readme_limits.py", "**Limits.**"),
    "extra_body=": ("tests/client/test_readme_models.py", 'snippet("extra_body=")'),
    "SpeechStartMessage.from_json": ("tests/client/test_readme_models.py", 'snippet("SpeechStartMessage.from_json")'),
    "decode_audio(": ("tests/cli/test_readme_stream.py", '_python_snippet("decode_audio(")'),
    "list_microphones()": ("tests/cli/test_readme_stream.py", '_python_snippet("list_microphones()")'),
}


def run(snippet: tuple[int, str], namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Execute a snippet in `namespace` as a module would (top-level ``await`` / ``async with`` in an event
    loop); tracebacks show README.md's own line numbers."""
    line, source = snippet
    namespace = {} if namespace is None else namespace
    namespace.setdefault("__name__", "readme_snippet")
    code = compile("\n" * (line - 1) + source, str(README), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)  # a coroutine when the snippet awaits at the top level
    if result is not None:
        asyncio.run(result)
    return namespace


def speech_wav(seconds: float = 0.6) -> bytes:
    """16 kHz 16-bit mono: a loud square wave (what the local server hears as speech), then 0.2 s of silence."""
    period = b"\xff\x3f" * 20 + b"\x01\xc0" * 20  # +/-16383 at 400 Hz
    voiced = period * int(seconds * 400)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(voiced + bytes(6400))
    return buffer.getvalue()


REQUEST = {"encoding": "wav/pcm", "sample_rate": 16000, "bit_depth": 16, "channels": 1}


def finished_job(server: LocalGladiaServer, custom_metadata: dict[str, Any]) -> str:
    """A job that is done (it can be deleted), holding a short recording."""
    from gladia_live_client import GladiaLive

    with GladiaLive(api_key=server.api_key, base_url=server.base_url) as gladia:
        with gladia.live({**REQUEST, "custom_metadata": custom_metadata}) as session:
            session.send_audio(speech_wav()[44:])
            session.stop_recording()
            for _ in session:
                pass
        return str(session.session_id)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalGladiaServer]:
    with LocalGladiaServer() as started:
        yield started


@pytest.fixture
def env(server: LocalGladiaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalGladiaServer:
    """The environment a snippet expects: GLADIA_API_KEY/GLADIA_API_URL (the local server), a working folder."""
    monkeypatch.setenv("GLADIA_API_KEY", server.api_key)
    monkeypatch.setenv("GLADIA_API_URL", server.base_url)
    monkeypatch.chdir(tmp_path)
    for name in ("speech.wav", "meeting.wav"):
        (tmp_path / name).write_bytes(speech_wav())
    return server


Snippet = tuple[int, str]  # (line in README.md, source)
Runner = Callable[[Snippet, LocalGladiaServer, pytest.CaptureFixture[str]], None]


def quick_start(source: Snippet, server: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = run(source)
    assert str(namespace["job"].id) == namespace["session"].session_id
    assert "Hello" in capsys.readouterr().out  # the first word of the local server's script


def rest_client(source: Snippet, server: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    done = finished_job(server, {"user": "John"})
    namespace = run(source)
    assert f"{done} done" in capsys.readouterr().out
    assert Path("session.wav").read_bytes().startswith(b"RIFF")
    assert server.job(str(namespace["session"].id))["post_session_metadata"] == {"debug": {"mic": "usb"}}
    with pytest.raises(KeyError):
        server.job(done)  # deleted


def async_rest_client(source: Snippet, server: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    done = finished_job(server, {"user": "Ada"})
    run(source)
    assert done in capsys.readouterr().out
    assert Path("session.wav").read_bytes().startswith(b"RIFF")


def errors(source: Snippet, server: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    from gladia_live_client import GladiaLive

    with GladiaLive() as gladia:
        server.faults.fail_next("get_job", status=503)  # a status the snippet prints (after the retries)
        server.faults.fail_next("get_job", status=503, count=3)
        run(source, {"gladia": gladia, "job_id": "45463597-20b7-4af7-b3b3-f5fb9be2d4b0"})
    assert capsys.readouterr().out.startswith("503 Service Unavailable")


def per_call_options(source: Snippet, server: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = run(source)
    assert capsys.readouterr().out == "200 application/json queued\n"
    assert namespace["http"].is_closed  # by its own `with`, after the Gladia client left it open
    assert server.request_count("get_job") >= 2


def logging_snippet(source: Snippet, server: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    package = logging.getLogger("gladia_live_client")
    before = package.level
    try:
        run(source)
        assert package.getEffectiveLevel() == logging.DEBUG
    finally:
        package.setLevel(before)


def streaming_a_file(source: Snippet, server: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = run(source)
    assert namespace["session"].stats.bytes_acknowledged == len(speech_wav()) - 44
    assert "Hello" in capsys.readouterr().out


def async_live(source: Snippet, server: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    async def async_microphone() -> Any:
        for offset in range(44, len(speech_wav()), 3200):
            yield speech_wav()[offset : offset + 3200]

    namespace = run(source, {"request": REQUEST, "async_microphone": async_microphone})
    assert namespace["session"].stats.bytes_acknowledged == len(speech_wav()) - 44


def recv_in_the_send_loop(source: Snippet, server: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = run(source)
    assert namespace["session"].stats.bytes_acknowledged == len(speech_wav()) - 44
    assert "Hello" in capsys.readouterr().out  # a final transcript, read by recv() or by iteration


def callbacks(source: Snippet, server: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = run(source)
    assert namespace["session"].stats.bytes_acknowledged == len(speech_wav()) - 44
    out = capsys.readouterr().out
    assert out.index("Hello") < out.index("done: Hello")  # the final transcript, then the final result
    left = [type(message).__name__ for message in namespace["session"]]  # what no callback took
    assert left
    assert "TranscriptMessage" not in left
    assert "PostFinalTranscriptMessage" not in left


def public_api(source: Snippet, server: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    run(source)
    assert capsys.readouterr().out == "<class 'gladia_live_client.NotFoundError'>\n"


def local_server_example(source: Snippet, server: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = run(source)
    namespace["test_my_service_survives_a_rate_limit"]()


# A marker in the snippet -> what runs it and checks its effect.
RUNS: dict[str, Runner] = {
    'session.send_file("speech.wav", realtime=True)': quick_start,
    'region="eu-west"': rest_client,
    'AsyncGladiaLive(api_key="...")': async_rest_client,
    "except RateLimitError:": errors,
    "with_raw_response": per_call_options,
    'logging.getLogger("gladia_live_client").setLevel(logging.DEBUG)': logging_snippet,
    'session.send_file("meeting.wav", realtime=True)': streaming_a_file,
    "async_microphone()": async_live,
    "session.recv(timeout=0.1)": recv_in_the_send_loop,
    'session.on("transcript"': callbacks,
    "def test_my_service_survives_a_rate_limit": local_server_example,
    "assert request.bit_depth is UNSET": public_api,
}


def snippet(marker: str) -> Snippet:
    found = [block for block in python_blocks(README.read_text(encoding="utf-8")) if marker in block[1]]
    assert len(found) == 1, f"{len(found)} README snippets hold {marker!r}"
    return found[0]


def test_every_readme_snippet_is_run() -> None:
    markers = [*RUNS, *ELSEWHERE]
    for line, source in python_blocks(README.read_text(encoding="utf-8")):
        assert sum(marker in source for marker in markers) == 1, f"README.md:{line}: no test runs this snippet"
    for test_file, locator in ELSEWHERE.values():
        assert locator in (ROOT / test_file).read_text(encoding="utf-8"), test_file


@pytest.mark.parametrize("marker", RUNS)
def test_readme_snippet_runs(marker: str, env: LocalGladiaServer, capsys: pytest.CaptureFixture[str]) -> None:
    RUNS[marker](snippet(marker), env, capsys)


def test_the_public_api_section_lists_every_public_module() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Public API") : text.index("## Layout")]
    listed = set(re.findall(r"^\| `(gladia_live_client[\w.]*)` \|", section, re.M))
    package = ROOT / "gladia_live_client"
    public = {
        f"gladia_live_client.{path.stem}"
        for path in package.iterdir()
        if not path.name.startswith("_") and (path.suffix == ".py" or (path / "__init__.py").is_file())
    }
    # The command line is run, not imported: the section names it under the table.
    assert listed == {"gladia_live_client", *public} - {"gladia_live_client.cli"}
    assert "`gladia_live_client.cli`" in section
    assert set(PUBLIC_MODULES) == listed
    for module in listed:
        assert importlib.import_module(module).__all__, module
