"""Property tests for the API key parser (SPEC §2): total, exact, and round-tripping."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from remixer.domain.keys import key_id_from_hex, mint_key, parse_key, secret_matches

HEX = st.text("0123456789abcdef", min_size=32, max_size=32)
SECRET = st.text(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=32, max_size=64
)
WELL_FORMED = st.builds(
    lambda env, h, s: f"lp_{env}_{h}_{s}", st.sampled_from(["live", "test"]), HEX, SECRET
)


@given(st.text())
@example("lp_live_" + "0" * 32 + "_" + "a" * 40 + "\n")
@example("lp_live_" + "0" * 32 + "_" + "a" * 40 + "\u0660")
def test_parse_is_total_and_exact(text: str) -> None:
    parsed = parse_key(text)
    if parsed is not None:
        key_hex = parsed.key_id.removeprefix("key_").replace("-", "")
        assert text == f"lp_{parsed.env}_{key_hex}_{parsed.secret}"
        assert parsed.env in ("live", "test") and text.isascii()


@given(WELL_FORMED)
def test_well_formed_keys_parse(text: str) -> None:
    parsed = parse_key(text)
    assert parsed is not None
    assert parsed.key_id == key_id_from_hex(text.split("_")[2])


@given(WELL_FORMED, st.text(min_size=1, max_size=3))
def test_anything_appended_or_prepended_is_refused(text: str, extra: str) -> None:
    assert parse_key(" " + text) is None
    if not set(extra) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"):
        assert parse_key(text + extra) is None


@given(st.sampled_from(["live", "test"]))
def test_minted_keys_round_trip(env: str) -> None:
    plaintext, key_id, secret_hash = mint_key(env)
    parsed = parse_key(plaintext)
    assert parsed is not None and parsed.key_id == key_id and parsed.env == env
    assert secret_matches(parsed.secret, secret_hash)
    assert not secret_matches(parsed.secret + "x", secret_hash)
