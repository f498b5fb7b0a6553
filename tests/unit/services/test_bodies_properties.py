"""Property tests for the JSON body decoders: whatever the bytes, a document or a 422/415,
never another exception; documents within the limits round-trip unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import RootModel

from remixer.api.bodies import parse_json_model
from remixer.domain.errors import ErrorCode, RemixerError
from remixer.services.bodies import MAX_DEPTH, BodyError, loads_bounded

SAFE_TEXT = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | SAFE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(SAFE_TEXT, inner, max_size=4),
    max_leaves=25,
)
CTYPE = "application/json"


class Document(RootModel[Any]):
    """Any JSON document, as a route's body model."""


def _decode(raw: bytes, ctype: str = CTYPE) -> Any:
    try:
        return ("ok", parse_json_model(Document, raw, ctype).root)
    except RemixerError as exc:
        return ("error", exc.code)


@given(st.binary(max_size=3000))
@example(b"[" * 5000)
@example(b"{" * 5000)
@example(b"9" * 5000)
@example(b'"\\ud800"')
@example(b'{"\\u0000": 1}')
@example(b"\xef\xbb\xbf{}")
@example(b"NaN")
def test_any_bytes_decode_or_fail_with_422(raw: bytes) -> None:
    kind, value = _decode(raw)
    if kind == "error":
        assert value == ErrorCode.VALIDATION


@given(st.text(max_size=300).map(str.encode))
def test_any_text_decodes_or_fails_with_422(raw: bytes) -> None:
    kind, value = _decode(raw)
    assert kind == "ok" or value == ErrorCode.VALIDATION


@given(JSON)
def test_documents_within_limits_round_trip(doc: Any) -> None:
    raw = json.dumps(doc).encode()
    assert loads_bounded(raw) == doc
    assert _decode(raw) == ("ok", doc)


@given(st.integers(MAX_DEPTH + 1, 3000), st.sampled_from(["[", '{"a":']))
def test_too_deep_is_422(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    raw = (opener * depth + "1" + closer * depth).encode()
    with pytest.raises(BodyError):
        loads_bounded(raw)
    kind, value = _decode(raw)
    assert kind == "ok" or value == ErrorCode.VALIDATION


@given(st.sampled_from(["text/plain", "application/jsonx", "multipart/form-data", ""]))
def test_other_content_types_are_415(ctype: str) -> None:
    assert _decode(b"{}", ctype) == ("error", ErrorCode.UNSUPPORTED_MEDIA_TYPE)


def test_empty_body_is_422() -> None:
    with pytest.raises(RemixerError) as info:
        parse_json_model(Document, b"", CTYPE)
    assert info.value.code == ErrorCode.VALIDATION
