"""#1 and #1b: parse a finished one-hour job into the model."""

from __future__ import annotations

import json

from benchmarks.harness import Result, paired_medians
from benchmarks.payloads import one_hour_job
from gladia_live_client.models import StreamingResponse


def run() -> list[Result]:
    payload = one_hour_job()
    size = f"{len(payload) / 1e6:.2f} MB, 12,000 words"
    ours, stdlib = paired_medians(lambda: StreamingResponse.from_dict(json.loads(payload)), lambda: json.loads(payload))
    results = [
        Result(
            "1",
            f"parse a one-hour job ({size})",
            ours * 1e3,
            stdlib * 1e3,
            "ms",
            "ratio",
            1.5,
            "baseline: json.loads of the same bytes (typed models, same bytes: issue 16's target; issue 8's was 2.5)",
        ),
    ]
    try:
        from gladiaio_sdk.v2.live.generated_types import LiveV2Response
    except ImportError:
        results.append(
            Result(
                "1b",
                "same payload vs the official gladiaio-sdk",
                ours * 1e3,
                float("nan"),
                "ms",
                "speedup",
                50,
                "gladiaio-sdk not installed (make bench installs it)",
            )
        )
        return results
    ours, sdk = paired_medians(
        lambda: StreamingResponse.from_dict(json.loads(payload)),
        lambda: LiveV2Response.from_dict(json.loads(payload)),
        repeat=5,
        warmup=1,
    )
    results.append(
        Result(
            "1b",
            "same payload vs the official gladiaio-sdk 2.2.1",
            ours * 1e3,
            sdk * 1e3,
            "ms",
            "speedup",
            50,
            "baseline: LiveV2Response.from_dict",
        )
    )
    return results
