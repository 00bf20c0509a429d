"""A small service of your own that uses Gladia, tested in test_transcriber.py next to it.

It stands for your application code: it transcribes a WAV file over a live session and lists the finished
jobs. It takes the API key and the base URL as arguments, so its tests can point it at a local server (or at
a chaos proxy in front of one) with no patching. Run its tests (from the repository root; needs the
``testing`` extra, which brings the ``gladia_server`` fixture):

    python -m pytest examples/testing
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gladia_live_client import GladiaLive, LiveOptions, ReconnectPolicy
from gladia_live_client.types import StreamingRequestDict

REQUEST: StreamingRequestDict = {"encoding": "wav/pcm", "bit_depth": 16, "sample_rate": 16000, "channels": 1}


@dataclass(frozen=True)
class Transcript:
    job_id: str
    text: str
    reconnections: int


class Transcriber:
    def __init__(self, *, api_key: str, base_url: str) -> None:
        self._gladia = GladiaLive(api_key=api_key, base_url=base_url)
        # Reconnect quickly: this service's users are waiting for their transcript.
        self._options = LiveOptions(reconnect=ReconnectPolicy(initial_delay=0.2, max_elapsed=30.0))

    def close(self) -> None:
        self._gladia.close()

    def transcribe(self, path: Path) -> Transcript:
        """The final transcript of a 16 kHz 16-bit mono WAV file."""
        with self._gladia.live(REQUEST, options=self._options) as session:
            session.send_file(path)
            session.stop_recording()
            texts = [message.data.utterance.text for message in session.final_transcripts()]
        return Transcript(str(session.session_id), " ".join(texts), session.reconnections)

    def finished_jobs(self) -> list[str]:
        """The ids of every finished job, newest first."""
        return [str(job.id) for job in self._gladia.iter_jobs(status="done")]
