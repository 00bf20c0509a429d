"""`gladia-live`: the command line (extra: ``gladia-live-client[cli]``, which brings `rich`).

    gladia-live stream meeting.wav          # live transcript, progress, summary
    gladia-live jobs list --status done     # the jobs, as a table
    gladia-live serve --script words.txt    # a local Gladia-compatible server

`main` is the console script. It checks for `rich` before importing anything that needs it, so a missing
extra gives one line saying what to install, not a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

EXTRA_HINT = "gladia-live needs the cli extra (rich): pip install 'gladia-live-client[cli]'"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: ``sys.argv[1:]``); returns the exit status."""
    try:
        import rich  # noqa: F401 -- only to say what is missing before anything else fails
    except ImportError:
        print(f"error: {EXTRA_HINT}", file=sys.stderr)
        return 1
    from ._app import run

    return run(argv)
