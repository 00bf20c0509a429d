"""`GET /v2/live` against malformed queries: 400 (never 500), the keep-alive connection and the server stay up."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gladia_live_client.testing import LocalGladiaServer

from .conftest import API_KEY, assert_error_body

NAMES = ["offset", "limit", "date", "before_date", "after_date", "status", "custom_metadata"]
MALFORMED = [
    ("offset", "9" * 5000),
    ("limit", "9" * 5000),
    ("offset", "-" + "9" * 30),
    ("offset", "1e3"),
    ("limit", "0"),
    ("date", "0000-01-01"),
    ("date", "9999-99-99"),
    ("date", "2024-02-30"),
    ("before_date", "0000-01-01T00:00:00Z"),
    ("after_date", "0000-01-01T00:00:00Z"),
    ("before_date", "9999-12-31T23:59:59-23:59"),
    ("after_date", "0001-01-01T00:00:00+23:59"),
    ("before_date", "2024-13-01T00:00:00Z"),
    ("status", "finished"),
    ("custom_metadata", "{"),
    ("custom_metadata", "[1]"),
    ("custom_metadata", '{"a":"' + "x" * 3000 + '"}'),
    ("custom_metadata", "[" * 5000 + "]" * 5000),
    ("custom_metadata", '{"a":' + "[" * 5000 + "]" * 5000 + "}"),
    ("custom_metadata", '{"a":NaN}'),
    ("offset", "+5"),
    ("offset", "\uff15"),
    ("before_date", "2024-01-01T00:00:00+24:00"),
    ("date", "\u202e2024-01-01"),
    ("custom_metadata[user]", "u1"),
    ("custom_metadata[]", "u1"),
]


@pytest.fixture(scope="module")
def keepalive() -> Iterator[httpx.Client]:
    with (
        LocalGladiaServer(api_key=API_KEY) as server,
        httpx.Client(base_url=server.base_url, headers={"x-gladia-key": API_KEY}, timeout=30) as http,
    ):
        http.post("/v2/live", json={"custom_metadata": {"user": "u1"}}).raise_for_status()
        http.post("/v2/live", json={"custom_metadata": {"user": "u2"}}).raise_for_status()
        yield http


@pytest.mark.parametrize(("name", "value"), MALFORMED, ids=[f"{n}={v[:20]}" for n, v in MALFORMED])
def test_each_malformed_query_answers_400_on_a_connection_that_stays_usable(
    keepalive: httpx.Client, name: str, value: str
) -> None:
    with keepalive.stream("GET", "/v2/live", params={name: value}) as response:
        stream = response.extensions["network_stream"]
        response.read()
    body = assert_error_body(response, 400, "invalid query parameters")
    assert any(problem.startswith(f"query.{name}") for problem in body["validation_errors"]), body
    assert response.headers.get("connection", "").lower() != "close"
    with keepalive.stream("GET", "/v2/live") as again:
        again.read()
        assert again.status_code == 200
        assert again.extensions["network_stream"] is stream  # the same keep-alive connection


def test_the_bracket_form_of_custom_metadata_is_refused_and_says_how_to_send_it(keepalive: httpx.Client) -> None:
    response = keepalive.get("/v2/live", params={"custom_metadata[user]": "u1"})
    problem = assert_error_body(response, 400)["validation_errors"][0]
    assert "bracket form is not supported" in problem
    assert 'custom_metadata={"user":"u1"}' in problem
    # The JSON form filters.
    filtered = keepalive.get("/v2/live", params={"custom_metadata": '{"user":"u1"}'}).json()["items"]
    assert [item["custom_metadata"] for item in filtered] == [{"user": "u1"}]


_values = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2}))?"),
    st.sampled_from(["", " ", "null", "{}", '{"a":1}', "[]", "9" * 400, "\x00", "%", "done"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from([*NAMES, "custom_metadata[k]", "other"]), _values), max_size=4))
def test_fuzzed_list_queries_answer_200_or_400(keepalive: httpx.Client, query: list[tuple[str, str]]) -> None:
    response = keepalive.get("/v2/live", params=query)
    assert response.status_code in (200, 400), (query, response.text)
    if response.status_code == 400:
        assert_error_body(response, 400)


def test_huge_integers_the_contract_allows_are_served(keepalive: httpx.Client) -> None:
    # The contract sets no maximum: a 20-digit limit lists every job and a 20-digit offset an empty page.
    huge = "22386637665974808576"
    everything = keepalive.get("/v2/live", params={"limit": huge})
    assert everything.status_code == 200
    assert len(everything.json()["items"]) >= 2
    past_the_end = keepalive.get("/v2/live", params={"offset": huge})
    assert past_the_end.status_code == 200
    assert past_the_end.json()["items"] == []
