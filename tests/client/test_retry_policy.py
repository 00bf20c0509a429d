"""The retry policy object: httpx-retries' `Retry` with this client's settings."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from gladia_live_client._retries import MAX_BACKOFF, MAX_RETRY_AFTER, RetryPolicy


def test_retry_after_forms_and_cap() -> None:
    retry = RetryPolicy(2).default
    assert retry.parse_retry_after("3") == 3.0
    assert retry.parse_retry_after(" 0.25 ") == 0.25
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 50 <= retry.parse_retry_after(in_a_minute) <= 60
    with pytest.raises(ValueError, match="Retry-After"):
        retry.parse_retry_after("-1")
    with pytest.raises(ValueError, match="Retry-After"):
        retry.parse_retry_after("soon")
    assert retry.max_backoff_wait == MAX_RETRY_AFTER == 60


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    retry = RetryPolicy(10).default
    for attempt, nominal in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (9, 8.0)]:
        waits = {retry.copy_with(attempts_made=attempt).backoff_strategy() for _ in range(50)}
        assert all(nominal / 2 <= wait <= min(nominal, MAX_BACKOFF) for wait in waits)
        assert len(waits) > 1, "jitter spreads the waits"


def test_post_policy_and_default_policy() -> None:
    policy = RetryPolicy(2)
    assert not policy.default.is_retryable_method("POST")
    assert {m for m in ("GET", "DELETE", "PATCH") if policy.default.is_retryable_method(m)} == {
        "GET",
        "DELETE",
        "PATCH",
    }
    assert policy.create_session.is_retryable_method("POST")
    assert policy.create_session.status_forcelist == {429}
    assert not policy.create_session.is_retryable_exception(httpx.ReadTimeout("x"))
    assert policy.create_session.is_retryable_exception(httpx.ConnectError("x"))
    assert policy.default.total == policy.create_session.total == 2
