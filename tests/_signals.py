"""Child processes that a test interrupts with SIGINT, however the suite itself was launched.

A shell that starts a job in the background without job control (``nohup make test &`` in a script, some CI
runners) starts it with SIGINT ignored, and every child inherits that: Python then installs no
KeyboardInterrupt handler and a program under test cannot be stopped with Ctrl-C's signal. The programs are
right to honour an ignored SIGINT; the tests that send one restore its default in the child before it starts.
"""

from __future__ import annotations

import signal
from typing import Any


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interruptible() -> dict[str, Any]:
    """`subprocess.Popen` keyword arguments giving the child the default SIGINT disposition."""
    return {"preexec_fn": _default_sigint}
