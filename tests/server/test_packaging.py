"""How the server ships: the spec copy, the optional extra, the pytest plugin and the command line."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import httpx
import pytest
import yaml

from gladia_live_client import GladiaError
from gladia_live_client.testing import LocalGladiaServer, LocalServerError
from tests._signals import interruptible
from tests.conftest import ROOT, SPEC_PATH

# Run in a fresh interpreter where starlette, uvicorn and jsonschema_rs cannot be imported (the extra missing).
WITHOUT_EXTRA = """
import importlib.abc, sys
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"starlette", "uvicorn", "jsonschema_rs"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Missing())
"""


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_server_reads_the_contract_shipped_in_the_package() -> None:
    from gladia_live_client.testing import _spec

    assert _spec.spec() == yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def test_pyproject_ships_the_spec_declares_the_extra_and_the_plugin() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "_generated/openapi.json" in project["tool"]["setuptools"]["package-data"]["gladia_live_client"]
    extra = " ".join(project["project"]["optional-dependencies"]["testing"])
    assert all(name in extra for name in ("starlette", "uvicorn", "jsonschema-rs"))
    assert (
        project["project"]["entry-points"]["pytest11"]["gladia_live_client"]
        == "gladia_live_client.testing.pytest_plugin"
    )


def test_the_server_runs_from_a_wheel(tmp_path: Path) -> None:
    # Build from a copy, so the build leaves nothing in the repository, then import from the wheel file alone.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "gladia_live_client", source / "gladia_live_client", ignore=shutil.ignore_patterns("__pycache__")
    )
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points_name,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
        entry_points = archive.read(entry_points_name).decode()
    assert {"gladia_live_client/_generated/openapi.json", "gladia_live_client/testing/README.md"} <= names
    assert "gladia_live_client.testing.pytest_plugin" in entry_points
    code = (
        f"import sys; sys.path.insert(0, {str(wheel)!r})\n"
        "import httpx, gladia_live_client.testing as testing\n"
        f"assert testing.__file__.startswith({str(wheel)!r}), testing.__file__\n"
        "with testing.LocalGladiaServer() as server:\n"
        "    post = lambda body: httpx.post(server.base_url + '/v2/live', json=body, headers={'x-gladia-key': 'k'})\n"
        "    print(post({}).status_code, post({'channels': 0}).json()['validation_errors'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("201 ['body.channels: 0 is less than the minimum of 1']"), result.stdout


def test_the_package_root_does_not_import_the_server() -> None:
    result = _python(
        "import sys, gladia_live_client\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'starlette', 'uvicorn', 'jsonschema_rs'}"
        " or m.startswith('gladia_live_client.testing')))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_without_the_extra_the_plugin_imports_and_the_server_says_what_to_install() -> None:
    result = _python(
        WITHOUT_EXTRA
        + "import gladia_live_client, gladia_live_client.testing.pytest_plugin\n"
        + "from gladia_live_client.testing import Faults, DEFAULT_SCRIPT, ChaosProxy, ChaosPlan, Flow\n"
        + "try:\n    from gladia_live_client.testing import LocalGladiaServer\n"
        + "except ImportError as exc:\n    print(exc)\n"
    )
    assert result.returncode == 0, result.stderr
    assert "pip install 'gladia-live-client[testing]'" in result.stdout


CHAOS_FIXTURE_TEST = """
import socket
from gladia_live_client.testing import ChaosPlan

def test_chaos_proxy(chaos_proxy):
    target = socket.create_server(("127.0.0.1", 0))
    proxy = chaos_proxy("127.0.0.1", target.getsockname()[1], plans=[ChaosPlan.cut(after_bytes=3)])
    with socket.create_connection(proxy.address, timeout=10) as sock:
        served, _ = target.accept()
        sock.sendall(b"hello")
        assert served.recv(10) == b"hel"
"""


def test_pytest_runs_with_the_plugin_when_the_extra_is_missing(tmp_path: Path) -> None:
    (tmp_path / "test_uses_fixture.py").write_text(
        "def test_plain():\n    assert True\n\ndef test_fixture(gladia_server):\n    pass\n" + CHAOS_FIXTURE_TEST,
        encoding="utf-8",
    )
    # schemathesis' own plugin needs jsonschema_rs too; it is not ours to test, so it stays out.
    arguments = ["-q", "-p", "no:cacheprovider", "-p", "no:schemathesis", str(tmp_path)]
    code = WITHOUT_EXTRA + f"import pytest\nsys.exit(pytest.main({arguments!r}))\n"
    result = _python(code)
    # pytest itself runs: the plain test and the chaos_proxy one (standard library only) pass, the
    # gladia_server fixture errors with the install hint.
    assert "2 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "pip install 'gladia-live-client[testing]'" in result.stdout


def test_the_fixture_is_a_running_server(gladia_server: LocalGladiaServer) -> None:
    response = httpx.get(f"{gladia_server.base_url}/v2/live", headers={"x-gladia-key": gladia_server.api_key})
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert gladia_server.request_count("list_jobs") == 1


async def test_async_context_manager_and_stop_keeps_state_readable() -> None:
    server = LocalGladiaServer(api_key="k")
    async with server, httpx.AsyncClient(base_url=server.base_url, headers={"x-gladia-key": "k"}) as http:
        created = (await http.post("/v2/live", json={})).json()
    assert not server.running
    assert server.job(created["id"])["status"] == "queued"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/v2/live")


def test_constructor_rejects_nonsense() -> None:
    for options in (
        {"api_key": ""},
        {"idle_timeout": 0},
        {"max_duration": -1},
        {"transcript_script": "words"},
        {"transcript_script": [""]},
    ):
        with pytest.raises(ValueError):  # noqa: PT011 - each message is specific; the point is refusing early
            LocalGladiaServer(**options)  # type: ignore[arg-type]
    with pytest.raises(LocalServerError, match="not been started") as caught:
        _ = LocalGladiaServer().base_url
    assert isinstance(caught.value, GladiaError)
    assert isinstance(caught.value, RuntimeError)


def test_command_line_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "gladia_live_client.testing", "--port", "0", "--api-key", "cli-key"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        **interruptible(),
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        base_url = line.split(" listening on ")[1].split()[0]
        response = httpx.post(f"{base_url}/v2/live", json={}, headers={"x-gladia-key": "cli-key"}, timeout=30)
        assert response.status_code == 201
        assert "cli-key" not in line
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
