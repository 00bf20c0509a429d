"""Each fix in generator-templates/ proven on the generated code.

These are unit tests of generated functions: a `build_request` output becomes the `httpx.Request` httpx would
put on the wire (`httpx.Client.build_request`, nothing sent), and `parse_response` / `parse_error` read
`httpx.Response` objects made here. The end-to-end layer repeats the important ones over real loopback
sockets against the local server. What the hand-written client adds (the API key header, timeouts, repr) is
tested in tests/client/.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

import gladia_live_client
from gladia_live_client._generated.api.live_v2 import get_job, init_session, list_jobs
from gladia_live_client._generated.errors import UnexpectedStatus
from gladia_live_client.models import (
    ListJobsCustomMetadata,
    ListJobsStatusItem,
    StreamingRequest,
    StreamingResponse,
    StreamingResponseStatus,
    StreamingSupportedBitDepthEnum,
    StreamingSupportedEncodingEnum,
    TranslationModelEnum,
    UnauthorizedErrorResponse,
)
from gladia_live_client.types import UNSET

JOB = {
    "id": "45463597-20b7-4af7-b3b3-f5fb778203ab",
    "request_id": "G-45463597",
    "version": 2,
    "status": "done",
    "created_at": "2024-01-01T00:00:00.000Z",
    "kind": "live",
}


def wire(request: dict[str, Any]) -> httpx.Request:
    """The request a `build_request` output becomes in httpx, as it would be sent."""
    with httpx.Client(base_url="https://api.gladia.io") as client:
        return client.build_request(**request)


def answer(status: int, **content: Any) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("GET", "https://api.gladia.io/v2/live/abc"), **content)


def test_endpoint_modules_are_pure_builders_and_parsers() -> None:
    for module in (get_job, init_session, list_jobs):
        assert module.__all__ == ["build_request", "parse_error", "parse_response"]
        assert not hasattr(module, "sync_detailed")
        assert not hasattr(module, "asyncio")
    assert "headers" not in get_job.build_request("abc"), "authentication is the client's, not the builder's"


@pytest.mark.parametrize(
    ("enum", "value"),
    [(StreamingResponseStatus, "archived"), (TranslationModelEnum, "turbo"), (StreamingSupportedBitDepthEnum, 12)],
)
def test_unknown_enum_value_is_kept(enum: Any, value: Any) -> None:
    member = enum(value)
    assert member.value == value
    assert member == value
    assert isinstance(member, enum)


def test_known_enum_value_is_the_member() -> None:
    assert StreamingSupportedBitDepthEnum(16) is StreamingSupportedBitDepthEnum.VALUE_16
    with pytest.raises(ValueError, match="not a valid"):
        StreamingSupportedBitDepthEnum("sixteen")


def test_response_with_unknown_status_value_parses_whole() -> None:
    job = StreamingResponse.from_dict({**JOB, "status": "archived"})
    assert job.status.value == "archived"
    assert job.to_dict()["status"] == "archived"


def test_custom_metadata_filter_is_one_json_parameter_and_status_repeats() -> None:
    request = wire(
        list_jobs.build_request(
            custom_metadata=ListJobsCustomMetadata.from_dict({"user": "John", "limit": 5}),
            status=[ListJobsStatusItem.DONE, ListJobsStatusItem.ERROR],
            date=datetime.date(2026, 8, 22),
        )
    )
    query = parse_qs(urlsplit(str(request.url)).query)
    assert query["custom_metadata"] == ['{"user":"John","limit":5}']
    assert "user" not in query
    assert "limit" not in query, "a metadata key must not become a query parameter"
    assert query["status"] == ["done", "error"]
    assert query["date"] == ["2026-08-22"]


def test_unset_query_parameters_are_omitted() -> None:
    assert wire(list_jobs.build_request()).url.query == b""


def test_unset_body_fields_are_omitted() -> None:
    body = StreamingRequest(encoding=StreamingSupportedEncodingEnum.WAVPCM)
    assert json.loads(wire(init_session.build_request(body=body)).content) == {"encoding": "wav/pcm"}
    assert StreamingRequest().to_dict() == {}
    assert StreamingRequest().messages_config is UNSET


def test_non_standard_status_is_a_clear_error_and_has_no_error_body() -> None:
    response = answer(520, text="<html>origin error</html>")
    with pytest.raises(UnexpectedStatus, match="status 520 is not a success status") as caught:
        get_job.parse_response(response)
    assert caught.value.status_code == 520
    assert get_job.parse_error(response) is None
    assert isinstance(get_job.parse_response(answer(200, json=JOB)), StreamingResponse)


def test_html_error_body_parses_to_none_not_an_exception() -> None:
    assert get_job.parse_error(answer(401, text="<html>401 Unauthorized</html>")) is None


def test_partial_error_body_parses() -> None:
    parsed = get_job.parse_error(answer(401, json={"message": "gladia user not found"}))
    assert isinstance(parsed, UnauthorizedErrorResponse)
    assert parsed.message == "gladia user not found"


def test_version_is_exported() -> None:
    assert gladia_live_client.__version__.count(".") == 2


def test_nulls_parse_in_result_file_request_params_and_addon_error() -> None:
    job = StreamingResponse.from_dict(
        {**JOB, "status": "error", "result": None, "file": None, "request_params": None, "custom_metadata": None}
    )
    assert job.result is None
    assert job.file is None
    assert job.request_params is None
    assert job.to_dict()["result"] is None


def test_path_id_is_percent_encoded() -> None:
    assert wire(get_job.build_request("a/b?c")).url.raw_path == b"/v2/live/a%2Fb%3Fc"


def test_websocket_url_token_is_masked_in_repr() -> None:
    from gladia_live_client.models import InitStreamingResponse

    created = InitStreamingResponse.from_dict(
        {"id": JOB["id"], "created_at": JOB["created_at"], "url": "wss://api.gladia.io/v2/live?token=tok-secret-1"}
    )
    assert "tok-secret-1" not in repr(created)
    assert "token=***" in repr(created)
    assert created.url.endswith("token=tok-secret-1"), "the value itself stays usable"
    with_userinfo = InitStreamingResponse.from_dict({**created.to_dict(), "url": "wss://me:pw-secret@h/v2/live?t=x"})
    assert "pw-secret" not in repr(with_userinfo)
    assert "wss://***@h/v2/live?t=***" in repr(with_userinfo)


def test_repr_shows_the_fields_that_are_set_and_unset_reads_unset() -> None:
    from gladia_live_client.models import LanguageConfig, TranslationMessage

    assert repr(UNSET) == "UNSET"
    request = StreamingRequest(encoding=StreamingSupportedEncodingEnum.WAVPCM, language_config=LanguageConfig())
    assert repr(request) == (
        "StreamingRequest(encoding=<StreamingSupportedEncodingEnum.WAVPCM: 'wav/pcm'>, language_config=LanguageConfig())"
    )
    assert repr(StreamingRequest()) == "StreamingRequest()"
    extra = StreamingRequest.from_dict({"channels": 1, "brand_new": [1]})
    assert repr(extra) == "StreamingRequest(channels=1, additional_properties={'brand_new': [1]})"
    message = TranslationMessage.from_dict(
        {"session_id": "s", "created_at": "t", "type": "translation", "error": None, "data": None}
    )
    assert (
        repr(message)
        == "TranslationMessage(session_id='s', created_at='t', error=None, type=<TranslationMessageType.TRANSLATION: 'translation'>, data=None)"
    )  # noqa: E501


def test_a_json_type_field_is_the_type_attribute() -> None:
    from gladia_live_client.models import (
        SummarizationConfigDTO,
        SummaryTypesEnum,
        TranslationMessage,
        TranslationMessageType,
    )

    message = TranslationMessage.from_dict(
        {"session_id": "s", "created_at": "t", "type": "translation", "error": None, "data": None}
    )
    assert message.type == "translation"
    assert message.type is TranslationMessageType.TRANSLATION
    assert TranslationMessage(session_id="s", created_at="t", error=None, data=None).type == "translation"
    assert not hasattr(message, "type_")
    config = SummarizationConfigDTO(type=SummaryTypesEnum.CONCISE)
    assert config.to_dict() == {"type": "concise"}
    assert SummarizationConfigDTO.from_dict({"type": "bullet_points"}).type == "bullet_points"


def test_to_json_and_from_json() -> None:
    from gladia_live_client.models import InitStreamingResponse

    request = StreamingRequest.from_dict({"encoding": "wav/pcm", "custom_metadata": {"ville": "Besançon"}})
    assert request.to_json() == '{"encoding": "wav/pcm", "custom_metadata": {"ville": "Besançon"}}'
    assert request.to_json(indent=2).startswith('{\n  "encoding"')
    assert StreamingRequest.from_json(request.to_json()) == request
    assert StreamingRequest.from_json(request.to_json().encode()) == request
    created = InitStreamingResponse.from_json(json.dumps(JOB | {"url": "wss://h/v2/live?token=t"}))
    assert isinstance(created.created_at, datetime.datetime)
    with pytest.raises(ValueError, match="expected a JSON object, got list"):
        StreamingRequest.from_json("[]")
    with pytest.raises(ValueError, match="Expecting property name"):
        StreamingRequest.from_json("{not json")
    with pytest.raises(ValueError, match="levels deep"):
        StreamingRequest.from_json('{"custom_metadata": ' + "[" * 200 + "]" * 200 + "}")
    with pytest.raises(KeyError, match="url"):
        InitStreamingResponse.from_json(json.dumps(JOB))


# from_dict reads the input in place (model.py.jinja), enums through their `_by_value` table
# (property_templates/enum_property.py.jinja) and the common unions inline (union_property.py.jinja): the same
# objects, the same errors as the pinned templates' copy-and-pop, `Enum(value)` and nested parse functions.

WORD = {"word": " hello", "start": 0.5, "end": 0.9, "confidence": 0.97}
UTTERANCE = {
    "start": 0.5,
    "end": 0.9,
    "confidence": 0.97,
    "channel": 0,
    "words": [WORD],
    "text": "hello",
    "language": "en",
}


def test_parsed_model_equals_the_constructed_one_and_round_trips() -> None:
    from gladia_live_client.models import TranscriptionLanguageCodeEnum, UtteranceDTO, WordDTO

    parsed = UtteranceDTO.from_dict(UTTERANCE)
    built = UtteranceDTO(
        start=0.5,
        end=0.9,
        confidence=0.97,
        channel=0,
        words=[WordDTO(word=" hello", start=0.5, end=0.9, confidence=0.97)],
        text="hello",
        language=TranscriptionLanguageCodeEnum.EN,
    )
    assert parsed == built
    assert repr(parsed) == repr(built)
    assert parsed.speaker is UNSET
    assert parsed.to_dict() == UTTERANCE
    assert UtteranceDTO.from_dict({**UTTERANCE, "speaker": 2}).to_dict() == {**UTTERANCE, "speaker": 2}


def test_unknown_keys_and_only_they_become_additional_properties() -> None:
    from types import MappingProxyType

    from gladia_live_client.models import UtteranceDTO, WordDTO

    source = {"later": 1, **UTTERANCE, "speaker": 1, "zeta": [2]}
    parsed = UtteranceDTO.from_dict(source)
    assert parsed.additional_properties == {"later": 1, "zeta": [2]}
    assert list(parsed.additional_properties) == ["later", "zeta"], "the input's order"
    # an optional field absent and an unknown key present: the same length as all known keys
    swapped = UtteranceDTO.from_dict({**UTTERANCE, "speakr": 1})
    assert swapped.speaker is UNSET
    assert swapped.additional_properties == {"speakr": 1}
    # an optional key that holds UNSET itself is a known key, absent as a value
    assert UtteranceDTO.from_dict({**UTTERANCE, "speaker": UNSET, "x": 0}).additional_properties == {"x": 0}
    assert UtteranceDTO.from_dict({**UTTERANCE, "speaker": UNSET}).additional_properties == {}
    # the input is neither changed nor shared, and any Mapping parses
    assert source == {"later": 1, **UTTERANCE, "speaker": 1, "zeta": [2]}
    words = [WordDTO.from_dict(WORD), WordDTO.from_dict(WORD)]
    words[0]["mine"] = True
    assert words[1].additional_properties == {}
    assert WORD == {"word": " hello", "start": 0.5, "end": 0.9, "confidence": 0.97}
    assert WordDTO.from_dict(MappingProxyType(WORD)) == words[1]


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"words": [["word", "x"]]}, id="a list item that is not an object"),
        pytest.param({"words": {"0": WORD}}, id="an object where a list belongs"),
        pytest.param({"language": 7}, id="a non-string enum value"),
        pytest.param({"language": ["en"]}, id="an unhashable enum value"),
        pytest.param({"words": None}, id="null where a list belongs"),
    ],
)
def test_a_body_that_does_not_fit_raises_one_of_the_documented_errors(bad: dict[str, Any]) -> None:
    from gladia_live_client.models import UtteranceDTO

    with pytest.raises((KeyError, TypeError, ValueError, AttributeError)):
        UtteranceDTO.from_dict({**UTTERANCE, **bad})


def test_enum_fields_take_the_member_and_keep_unknown_values() -> None:
    from gladia_live_client.models import (
        StreamingSupportedSampleRateEnum,
        TranscriptionLanguageCodeEnum,
        UtteranceDTO,
    )

    assert UtteranceDTO.from_dict(UTTERANCE).language is TranscriptionLanguageCodeEnum.EN
    new_language = UtteranceDTO.from_dict({**UTTERANCE, "language": "xx-new"}).language
    assert isinstance(new_language, TranscriptionLanguageCodeEnum)
    assert new_language.value == "xx-new"
    assert StreamingSupportedSampleRateEnum._by_value[16000] is StreamingSupportedSampleRateEnum(16000)


def test_every_enum_table_is_the_one_the_enum_looks_in() -> None:
    import enum

    from gladia_live_client import models

    enums = [value for value in vars(models).values() if isinstance(value, type) and issubclass(value, enum.Enum)]
    assert len(enums) > 20
    for enum_class in enums:
        assert enum_class._by_value == enum_class._value2member_map_, enum_class
        assert "_by_value" not in enum_class.__members__


def test_inline_unions_accept_and_reject_as_before() -> None:
    from gladia_live_client.models import AudioChunkAckMessage, Error, FileResponse

    ack = {
        "session_id": "s",
        "created_at": "t",
        "acknowledged": True,
        "type": "audio_chunk",
        "error": None,
        "data": {"byte_range": [0, 10], "time_range": [0.0, 0.1]},
    }
    assert AudioChunkAckMessage.from_dict(ack).error is None
    assert AudioChunkAckMessage.from_dict({**ack, "error": {"message": "m"}}).error == Error(message="m")
    with pytest.raises(TypeError, match=re.escape("error: expected Error | None, got str")):
        AudioChunkAckMessage.from_dict({**ack, "error": "m"})
    file = {"id": "f", "filename": None, "source": None, "audio_duration": 1, "number_of_channels": 1}
    assert FileResponse.from_dict(file).audio_duration == 1
    with pytest.raises(TypeError, match=re.escape("filename: expected None | str, got int")):
        FileResponse.from_dict({**file, "filename": 3})
