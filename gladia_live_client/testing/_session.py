"""One live session (a job): its state, its audio, the messages it produces and its JSON as the API shows it.

Everything here is synchronous and runs on the server's event loop; the WebSocket layer sends what these
methods return. Messages are returned as JSON text so each is serialised once, and the ones recorded into the
job's `result.messages` are the exact text that was sent.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._audio import ServerAudioFormat
from ._json import dumps
from ._recognizer import Recognizer, SpeechEvent, TranscriptEvent
from ._spec import enum_values

if TYPE_CHECKING:
    from ._websocket import Connection

__all__ = ["ServerSession", "new_request_id", "now", "timestamp"]

_TRANSCRIPTION_LANGUAGES = frozenset(enum_values("TranscriptionLanguageCodeEnum"))
_WORD_CORE = re.compile(r"^\W+|\W+$")
_POSITIVE = frozenset({"good", "great", "welcome", "happy", "love", "nice", "thanks"})
_NEGATIVE = frozenset({"bad", "lazy", "sad", "hate", "wrong", "angry"})


def now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    """ISO 8601 with milliseconds and `Z`, as the API writes dates (`2024-01-01T00:00:00.000Z`)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# The second `stamp_now` last formatted, and its text up to the milliseconds.
_stamp_second: tuple[int, str] = (-1, "")


def stamp_now() -> str:
    """`timestamp(now())`, with the date and time formatted once per second: every message a session sends
    carries one (an acknowledgement every 100 ms per session), and `strftime` costs more than the message."""
    global _stamp_second
    moment = time.time()
    second = int(moment)
    formatted_second, prefix = _stamp_second  # one tuple: threads of other servers see a whole pair
    if second != formatted_second:
        prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        _stamp_second = (second, prefix)
    return f"{prefix}{int((moment - second) * 1000):03d}Z"


def new_request_id() -> str:
    """A debug id shaped like upstream's: `G-` and 8 hex digits."""
    return "G-" + secrets.token_hex(4)


def _addon(results: Any, *, empty: bool) -> dict[str, Any]:
    return {"success": True, "is_empty": empty, "exec_time": 0.0, "error": None, "results": results}


def _core(word: str) -> str:
    return _WORD_CORE.sub("", word)


class ServerSession:
    """The local server's side of a live job, from `POST /v2/live` to its end; see the package README for the
    lifecycle. (The client's side is `gladia_live_client.LiveSession`.)"""

    def __init__(
        self,
        *,
        params: dict[str, Any],
        custom_metadata: dict[str, Any] | None,
        region: str | None,
        script: Sequence[str],
    ) -> None:
        self.id = str(uuid.uuid4())
        self.token = str(uuid.uuid4())
        self.request_id = new_request_id()
        self.created_at = now()
        self.completed_at: datetime | None = None
        self.status = "queued"
        self.error_code: int | None = None
        self.custom_metadata = custom_metadata
        self.region = region
        self.params = params
        self.post_session_metadata: dict[str, Any] = {}
        self.format = ServerAudioFormat(
            params["encoding"], params["bit_depth"], params["sample_rate"], params["channels"]
        )
        self._byte_rate = self.format.byte_rate
        self.audio = bytearray()
        self.file_id = str(uuid.uuid4())
        self.connections = 0
        self.deleted = False
        self.recording_started = False
        self.ending = False  # stop requested (or forced): no more audio, no new connection
        self.result: dict[str, Any] | None = None
        self.messages: list[str] = []  # realtime messages sent, for result.messages
        # Run-time links kept by the WebSocket layer.
        self.active: Connection | None = None
        self.last_activity = 0.0  # time.monotonic() of the last audio or connection
        self.watchdog: asyncio.Task[None] | None = None
        self._session_started = False

        flags = params["messages_config"]
        self._send_partials = bool(flags.get("receive_partial_transcripts"))
        self._send_finals = bool(flags.get("receive_final_transcripts"))
        self._send_speech = bool(flags.get("receive_speech_events"))
        self._send_realtime = bool(flags.get("receive_realtime_processing_events"))
        self._send_post = bool(flags.get("receive_post_processing_events"))
        self._send_acks = bool(flags.get("receive_acknowledgments"))
        self._send_errors = bool(flags.get("receive_errors"))
        self._send_lifecycle = bool(flags.get("receive_lifecycle_events"))

        realtime = params["realtime_processing"]
        post = params["post_processing"]
        translation = realtime.get("translation_config") or {}
        self._targets: list[str] = list(translation.get("target_languages", [])) if realtime.get("translation") else []
        self._translate = bool(realtime.get("translation"))
        self._ner = bool(realtime.get("named_entity_recognition"))
        self._sentiment = bool(realtime.get("sentiment_analysis"))
        self._summarize = bool(post.get("summarization"))
        self._summary_type = (post.get("summarization_config") or {}).get("type", "general")
        self._chapterize = bool(post.get("chapterization"))
        spelling = None
        if realtime.get("custom_spelling"):
            spelling = (realtime.get("custom_spelling_config") or {}).get("spelling_dictionary")
        languages = params["language_config"].get("languages") or ["en"]
        self.recognizer = Recognizer(
            self.format,
            script,
            endpointing=params["endpointing"],
            max_without_endpointing=params["maximum_duration_without_endpointing"],
            speech_threshold=params["pre_processing"].get("speech_threshold", 0.6),
            language=languages[0],
            partials=self._send_partials,
            spelling=spelling,
        )
        self._utterances: list[dict[str, Any]] = []
        self._translations: dict[str, list[dict[str, Any]]] = {target: [] for target in self._targets}
        self._entities: list[dict[str, Any]] = []
        self._sentiments: list[dict[str, Any]] = []

    # -- state -------------------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.status in ("done", "error")

    @property
    def recording_duration(self) -> float:
        return round(self.format.seconds(len(self.audio)), 6)

    def _message(self, kind: str, **fields: Any) -> dict[str, Any]:
        return {"session_id": self.id, "created_at": stamp_now(), "type": kind, **fields}

    def _emit(self, out: list[str], message: dict[str, Any], *, record: bool = True) -> None:
        text = dumps(message)
        if record:
            self.messages.append(text)
        out.append(text)

    # -- recording ---------------------------------------------------------------------------------------

    def on_accept(self) -> None:
        """A WebSocket connection was accepted: the job is processing from now on."""
        self.connections += 1
        if self.status == "queued":
            self.status = "processing"

    def on_active(self) -> list[str]:
        """A connection starts carrying the session; `start_session` the first time."""
        out: list[str] = []
        if not self._session_started:
            self._session_started = True
            if self._send_lifecycle:
                self._emit(out, self._message("start_session"))
        return out

    def commit(self, data: bytes | memoryview) -> list[str]:
        """Commit audio: its acknowledgement, then the speech events and transcripts it completes."""
        out: list[str] = []
        if not self.recording_started:
            self.recording_started = True
            if self._send_lifecycle:
                self._emit(out, self._message("start_recording"))
        start = len(self.audio)
        self.audio += data
        end = len(self.audio)
        if self._send_acks:
            out.append(self._acknowledgement(start, end))
        self._events(out, self.recognizer.feed(data))
        return out

    def _acknowledgement(self, start: int, end: int) -> str:
        """The `audio_chunk` acknowledgement of bytes `start` to `end`, as `_emit` would write it (not recorded).

        Written by hand: it is the one message sent for every frame, and its shape never changes. The same
        text as `dumps(self._message("audio_chunk", acknowledged=True, error=None, data=...))`, key order
        included (tests/server/test_session.py compares them); floats are written by `repr`, as `json` does.
        """
        rate = self._byte_rate
        return (
            f'{{"session_id":"{self.id}","created_at":"{stamp_now()}","type":"audio_chunk","acknowledged":true,'
            f'"error":null,"data":{{"byte_range":[{start},{end}],'
            f'"time_range":[{round(start / rate, 6)!r},{round(end / rate, 6)!r}]}}}}'
        )

    def reject_chunk(self, problem: str) -> list[str]:
        """A failed `audio_chunk` acknowledgement (the frame was not audio the server could read)."""
        out: list[str] = []
        if self._send_acks or self._send_errors:
            message = self._message("audio_chunk", acknowledged=False, error={"message": problem}, data=None)
            self._emit(out, message, record=False)
        return out

    def stop_ack(self) -> list[str]:
        out: list[str] = []
        if self._send_acks:
            data = {"recording_duration": self.recording_duration, "recording_left_to_process": 0.0}
            self._emit(out, self._message("stop_recording", acknowledged=True, error=None, data=data), record=False)
        return out

    def flush(self) -> list[str]:
        """End of the audio: the utterances still open become final."""
        out: list[str] = []
        self._events(out, self.recognizer.flush())
        return out

    def _events(self, out: list[str], events: Sequence[SpeechEvent | TranscriptEvent]) -> None:
        for event in events:
            if isinstance(event, SpeechEvent):
                if self._send_speech:
                    self._emit(out, self._message(event.kind, data={"time": event.time, "channel": event.channel}))
                continue
            data = {"id": event.utterance_id, "is_final": event.is_final, "utterance": event.utterance}
            if not event.is_final:
                if self._send_partials:
                    self._emit(out, self._message("transcript", data=data))
                continue
            self._utterances.append(event.utterance)
            if self._send_finals:
                self._emit(out, self._message("transcript", data=data))
            self._realtime_addons(out, event.utterance_id, event.utterance)

    def _realtime_addons(self, out: list[str], utterance_id: str, utterance: dict[str, Any]) -> None:
        language = utterance["language"]
        for target in self._targets:
            translated = {**utterance, "language": target if target in _TRANSCRIPTION_LANGUAGES else language}
            self._translations[target].append(translated)
            if self._send_realtime:
                data = {
                    "utterance_id": utterance_id,
                    "utterance": utterance,
                    "original_language": language,
                    "target_language": target,
                    "translated_utterance": translated,
                }
                self._emit(out, self._message("translation", error=None, data=data))
        if self._ner:
            # Capitalised words after the first one of the utterance are "entities".
            entities = [
                {"entity_type": "proper_noun", "text": _core(word["word"]), "start": word["start"], "end": word["end"]}
                for word in utterance["words"][1:]
                if _core(word["word"])[:1].isupper()
            ]
            self._entities.extend(entities)
            if self._send_realtime:
                data = {"utterance_id": utterance_id, "utterance": utterance, "results": entities}
                self._emit(out, self._message("named_entity_recognition", error=None, data=data))
        if self._sentiment:
            words = {_core(word["word"]).lower() for word in utterance["words"]}
            positive, negative = len(words & _POSITIVE), len(words & _NEGATIVE)
            sentiment, emotion = (
                ("positive", "joy")
                if positive > negative
                else ("negative", "sadness")
                if negative
                else ("neutral", "neutral")
            )
            result = {
                "sentiment": sentiment,
                "emotion": emotion,
                "text": utterance["text"],
                "start": utterance["start"],
                "end": utterance["end"],
                "channel": utterance["channel"],
            }
            self._sentiments.append(result)
            if self._send_realtime:
                data = {"utterance_id": utterance_id, "utterance": utterance, "results": [result]}
                self._emit(out, self._message("sentiment_analysis", error=None, data=data))

    # -- end of the session ------------------------------------------------------------------------------

    def post_processing(self, transcription_time: float) -> list[str]:
        """Build the final results; the post-processing messages (when asked for) then `end_recording`."""
        utterances = sorted(self._utterances, key=lambda utterance: (utterance["start"], utterance["channel"]))
        full = " ".join(utterance["text"] for utterance in utterances)
        transcription = {
            "full_transcript": full,
            "languages": [self.recognizer.language],
            "utterances": utterances,
        }
        duration = self.recording_duration
        result: dict[str, Any] = {
            "metadata": {
                "audio_duration": duration,
                "number_of_distinct_channels": self.format.channels,
                "billing_time": round(duration * self.format.channels, 6),
                "transcription_time": round(transcription_time, 6),
            },
            "transcription": transcription,
        }
        if self._translate:
            result["translation"] = _addon(
                [
                    {
                        "error": None,
                        "full_transcript": " ".join(u["text"] for u in self._translations[target]),
                        "languages": [target],
                        "utterances": self._translations[target],
                    }
                    for target in self._targets
                ],
                empty=not self._targets,
            )
        if self._ner:
            result["named_entity_recognition"] = _addon(self._entities, empty=not self._entities)
        if self._sentiment:
            result["sentiment_analysis"] = _addon(_dumps_list(self._sentiments), empty=not self._sentiments)
        summary = _summary(utterances, self._summary_type) if self._summarize else None
        chapters = _chapters(utterances) if self._chapterize else None
        if summary is not None:
            result["summarization"] = _addon(summary, empty=not summary)
        if chapters is not None:
            result["chapterization"] = _addon({"chapters": chapters}, empty=not chapters)

        out: list[str] = []
        if self._send_post:
            self._emit(out, self._message("post_transcript", data=transcription), record=False)
            if summary is not None:
                message = self._message("post_summarization", error=None, data={"results": summary})
                self._emit(out, message, record=False)
            if chapters is not None:
                message = self._message("post_chapterization", error=None, data={"results": chapters})
                self._emit(out, message, record=False)
            self._emit(out, self._message("post_final_transcript", data=result), record=False)
        if self._send_lifecycle:
            message = self._message("end_recording", data={"recording_duration": duration})
            self._emit(out, message, record=False)
        self.result = {**result, "messages": self.messages}
        return out

    def finalize(self, *, error_code: int | None = None) -> list[str]:
        """The job is over (`done`, or `error` with `error_code`); returns `end_session` when asked for."""
        self.completed_at = now()
        if error_code is None:
            self.status = "done"
        else:
            self.status, self.error_code, self.result = "error", error_code, None
        out: list[str] = []
        if self._send_lifecycle:
            self._emit(out, self._message("end_session"), record=False)
        return out

    # -- as the REST API shows it -----------------------------------------------------------------------

    def to_json(self, *, detail: bool = True) -> dict[str, Any]:
        """The job as `GET /v2/live/{id}` shows it (`detail=False`: as a list item, without post_session_metadata)."""
        file = None
        if self.status != "queued" and self.status != "error":
            file = {
                "id": self.file_id,
                "filename": f"{self.id}.wav",
                "source": None,
                "audio_duration": self.recording_duration,
                "number_of_channels": self.format.channels,
            }
        job: dict[str, Any] = {
            "id": self.id,
            "request_id": self.request_id,
            "version": 2,
            "status": self.status,
            "created_at": timestamp(self.created_at),
            "completed_at": timestamp(self.completed_at) if self.completed_at else None,
            "custom_metadata": self.custom_metadata,
            "error_code": self.error_code,
            "kind": "live",
            "file": file,
            "request_params": self.params,
            "result": self.result if self.status == "done" else None,
        }
        if detail:
            job["post_session_metadata"] = self.post_session_metadata
        return job


def _dumps_list(items: list[dict[str, Any]]) -> str:
    # SentimentAnalysisDTO.results is a string in the contract: the results list as JSON text.
    return dumps(items)


def _summary(utterances: Sequence[dict[str, Any]], kind: str) -> str:
    if not utterances:
        return ""
    if kind == "bullet_points":
        return "\n".join(f"- {utterance['text']}" for utterance in utterances)
    words = " ".join(utterance["text"] for utterance in utterances).split()
    return " ".join(words[: 8 if kind == "concise" else 20])


def _chapters(utterances: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if not utterances:
        return []
    text = " ".join(utterance["text"] for utterance in utterances)
    words = text.split()
    distinct = sorted({_core(word).lower() for word in words if _core(word)}, key=lambda word: (-len(word), word))
    return [
        {
            "headline": " ".join(words[:5]),
            "gist": " ".join(words[:10]),
            "summary": " ".join(words[:20]),
            "keywords": distinct[:3],
            "start": utterances[0]["start"],
            "end": max(utterance["end"] for utterance in utterances),
            "sentences": [
                {"sentence": u["text"], "start": u["start"], "end": u["end"], "words": u["words"]} for u in utterances
            ],
            "text": text,
        }
    ]
