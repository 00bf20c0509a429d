"""`python -m gladia_live_client.testing`: run the local Gladia-compatible server until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import threading

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gladia_live_client.testing",
        description="Serve a local, in-memory Gladia live API (REST and WebSocket) until interrupted.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on, 0 for any (default: 8080)")
    parser.add_argument("--api-key", help="the only x-gladia-key accepted (default: any non-empty key)")
    parser.add_argument("--idle-timeout", type=float, default=30.0, help="seconds without audio ending a session")
    parser.add_argument("--max-duration", type=float, default=3 * 3600, help="seconds of audio per session at most")
    parser.add_argument("--processing-delay", type=float, default=0.0, help="seconds of post-processing")
    parser.add_argument(
        "--public-url",
        help="base URL clients reach the server at, when not its bound address (e.g. behind a port mapping)",
    )
    args = parser.parse_args(argv)

    from . import LocalGladiaServer

    server = LocalGladiaServer(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        idle_timeout=args.idle_timeout,
        max_duration=args.max_duration,
        processing_delay=args.processing_delay,
        public_url=args.public_url,
    )
    server.start()
    key = "the key given with --api-key" if args.api_key else "any non-empty key"
    print(f"Local Gladia server listening on {server.base_url} (x-gladia-key: {key}); Ctrl-C stops it", flush=True)
    stopped = threading.Event()
    try:
        while server.running and not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
