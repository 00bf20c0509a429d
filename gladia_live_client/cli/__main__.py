"""``python -m gladia_live_client.cli``: the same as the ``gladia-live`` console script."""

from __future__ import annotations

from . import main

if __name__ == "__main__":
    raise SystemExit(main())
