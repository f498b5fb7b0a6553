"""Property tests for the Idempotency-Key rules (SPEC §4): which keys are valid, how keys
are scoped, and that the canonical body hash is total and whitespace/order blind."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remixer.domain.errors import ErrorCode, RemixerError
from remixer.services.idempotency import canonical_body_hash, scope_key_for, validate_key

PRINTABLE = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=255)
# Strings the decoder accepts (no NUL, no lone surrogate): bodies it refuses are hashed
# as raw bytes, and answered 422 before any idempotency record is kept.
TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=10)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(PRINTABLE)
def test_printable_ascii_keys_of_1_to_255_are_valid(key: str) -> None:
    assert validate_key(key) == key


@given(st.text(max_size=300))
def test_every_other_key_is_a_validation_error(key: str) -> None:
    valid = 1 <= len(key) <= 255 and all(32 <= ord(c) <= 126 for c in key)
    if valid:
        assert validate_key(key) == key
        return
    with pytest.raises(RemixerError) as info:
        validate_key(key)
    assert info.value.code == ErrorCode.VALIDATION
    assert info.value.details["issues"][0]["path"] == "header.Idempotency-Key"


@given(
    PRINTABLE, PRINTABLE, st.sampled_from(["key_a", "key_b"]), st.sampled_from(["POST", "PATCH"])
)
def test_scopes_separate_keys_api_keys_and_methods(
    k1: str, k2: str, api_key: str, method: str
) -> None:
    route, ids = "/v1/projects/{projectId}", ["prj_1"]
    a = scope_key_for(api_key, method, route, ids, k1)
    assert a == scope_key_for(api_key, method, route, ids, k1)
    assert (a == scope_key_for(api_key, method, route, ids, k2)) is (k1 == k2)
    assert a != scope_key_for(api_key + "x", method, route, ids, k1)
    assert a != scope_key_for(api_key, "PUT", route, ids, k1)
    assert a != scope_key_for(api_key, method, route, ["prj_2"], k1)


@given(st.binary(max_size=2000))
def test_body_hash_is_total(body: bytes) -> None:
    assert len(canonical_body_hash(body)) == 64


def test_body_hash_survives_hostile_bodies() -> None:
    for body in (b"[" * 5000, b"9" * 5000, b'"\\ud800"', b"\xff", b'{"a":' * 2000):
        assert len(canonical_body_hash(body)) == 64


@given(JSON, st.sampled_from([None, 2, 4]))
def test_body_hash_ignores_whitespace_and_key_order(doc: Any, indent: int | None) -> None:
    compact = json.dumps(doc, separators=(",", ":")).encode()
    pretty = json.dumps(doc, indent=indent, sort_keys=True).encode()
    assert canonical_body_hash(compact) == canonical_body_hash(pretty)
