"""`gladia-live serve`: run the local Gladia-compatible server (`gladia_live_client.testing`) until stopped.

It prints one line naming its base URL once it accepts connections (a script starting it with ``--port 0``
reads the URL from that line), then serves until Ctrl-C, SIGTERM or, with ``--stop-on-eof``, the end of its
standard input: a parent process holding the other end of a pipe cannot leave the server running behind it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from ._app import Context
from ._errors import CLIError
from ._parsing import non_negative_float, positive_float

if TYPE_CHECKING:
    from ._app import Subcommands

__all__ = ["add_parser", "read_script"]

_EXTRA_HINT = "gladia-live serve needs the testing extra: pip install 'gladia-live-client[testing]'"


def add_parser(commands: Subcommands) -> None:
    parser = commands.add_parser(
        "serve",
        help="run a local Gladia-compatible server (REST and WebSocket)",
        description=(
            "Serve a local, in-memory Gladia live API until interrupted. Its stand-in recogniser turns detected "
            "speech into the words of --script, in order. Prints its base URL once ready."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on, 0 for any free one (default: 8080)")
    parser.add_argument(
        "--api-key",
        default=argparse.SUPPRESS,
        metavar="KEY",
        help="the only x-gladia-key accepted (default: any non-empty key; GLADIA_API_KEY is not read)",
    )
    parser.add_argument(
        "--script", type=Path, metavar="FILE", help="a text file of the words the recogniser 'hears', in order"
    )
    parser.add_argument(
        "--idle-timeout", type=positive_float, default=30.0, metavar="S", help="seconds without audio ending a session"
    )
    parser.add_argument(
        "--max-duration",
        type=positive_float,
        default=3 * 3600.0,
        metavar="S",
        help="seconds of audio per session at most",
    )
    parser.add_argument(
        "--processing-delay", type=non_negative_float, default=0.0, metavar="S", help="seconds of post-processing"
    )
    parser.add_argument(
        "--stop-on-eof", action="store_true", help="also stop when standard input is closed (for scripts and tests)"
    )
    parser.set_defaults(handler=serve)


def read_script(path: Path) -> list[str]:
    """The transcript script in `path`: its non-blank lines. `CLIError` when it holds no words."""
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except UnicodeDecodeError as exc:
        raise CLIError(f"{path} is not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    if not lines:
        raise CLIError(f"{path} holds no words to use as the transcript script")
    return lines


def serve(context: Context) -> int:
    args = context.args
    script = read_script(args.script) if args.script is not None else None
    try:
        from ..testing import LocalGladiaServer
    except ImportError:
        raise CLIError(_EXTRA_HINT) from None
    api_key: str | None = getattr(args, "api_key", None)
    server = LocalGladiaServer(
        host=args.host,
        port=args.port,
        api_key=api_key,
        transcript_script=script,
        idle_timeout=args.idle_timeout,
        max_duration=args.max_duration,
        processing_delay=args.processing_delay,
    )
    stop = threading.Event()

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        server.start()
    except OSError as exc:  # the port is taken, the address is not ours, ...
        raise CLIError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    try:
        key = "the key given with --api-key" if api_key else "any non-empty key"
        words = f"{sum(len(line.split()) for line in script)} words of {args.script}" if script else "a default script"
        print(
            f"Local Gladia server listening on {server.base_url} (x-gladia-key: {key}; transcripts from {words}); "
            "Ctrl-C stops it",
            flush=True,
        )
        if args.stop_on_eof:
            threading.Thread(target=_wait_for_eof, args=(stop,), name="gladia-serve-stdin", daemon=True).start()
        while server.running and not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
    print("Local Gladia server stopped", file=sys.stderr, flush=True)
    return 0


def _wait_for_eof(stop: threading.Event) -> None:
    # os.read on the descriptor, not sys.stdin: a daemon thread blocked inside a buffered reader makes the
    # interpreter abort at exit ("could not acquire lock for <stdin>") when the server stops another way.
    try:
        while os.read(0, 65536):
            pass
    except OSError:  # stdin closed or not readable: treat it as the end
        pass
    stop.set()
