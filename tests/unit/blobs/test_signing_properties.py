"""Property tests for the media URL signature verifier (SPEC §6.9): total over any query
strings, true only for an unexpired signature this signer made."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from remixer.blobs.signing import UrlSigner

NOW = 1_800_000_000.0
SIGNER = UrlSigner(b"k" * 32, "http://h", ttl_s=3600)
OTHER = UrlSigner(b"j" * 32, "http://h", ttl_s=3600)
IDS = st.text(min_size=1, max_size=40)


def _parts(url: str) -> tuple[str, str, str]:
    split = urlsplit(url)
    query = parse_qs(split.query)
    return split.path.rsplit("/", 1)[1], query["exp"][0], query["sig"][0]


@given(IDS, st.one_of(st.none(), st.text()), st.one_of(st.none(), st.text()))
@example("x", "²", "a")
@example("x", "9" * 5000, "0" * 64)
@example("x", "1" * 12, "é")
@example("x", "١٢٣", "0" * 64)
def test_verify_is_total(media_id: str, exp: str | None, sig: str | None) -> None:
    assert SIGNER.verify(media_id, exp, sig, now_s=NOW) in (True, False)


@given(st.text(alphabet=st.characters(codec="ascii", exclude_characters="/?#&="), min_size=1))
def test_own_signatures_verify_until_they_expire(media_id: str) -> None:
    url = SIGNER.url_for(media_id, now_s=NOW)
    _, exp, sig = _parts(url)
    assert SIGNER.verify(media_id, exp, sig, now_s=NOW)
    assert SIGNER.verify(media_id, exp, sig, now_s=NOW + 3600)
    assert not SIGNER.verify(media_id, exp, sig, now_s=NOW + 3601)
    assert not OTHER.verify(media_id, exp, sig, now_s=NOW)
    assert not SIGNER.verify(media_id + "x", exp, sig, now_s=NOW)
    assert not SIGNER.verify(media_id, str(int(exp) + 1), sig, now_s=NOW)
    assert not SIGNER.verify(
        media_id, exp, sig.upper() if sig != sig.upper() else "0" * 64, now_s=NOW
    )


@given(IDS, st.integers(0, 63), st.sampled_from("0123456789abcdef"))
def test_any_changed_signature_digit_fails(media_id: str, index: int, digit: str) -> None:
    exp = str(int(NOW) + 60)
    good = SIGNER.url_for(media_id, now_s=NOW - 3540).rsplit("sig=", 1)[1]
    bad = good[:index] + digit + good[index + 1 :]
    assert SIGNER.verify(media_id, exp, bad, now_s=NOW) is (bad == good)


@given(IDS, st.text(min_size=1, max_size=40), st.text(max_size=40))
def test_key_bound_signatures_verify_only_with_their_key(
    media_id: str, key_id: str, other: str
) -> None:
    bound = SIGNER.for_key(key_id)
    url = bound.url_for(media_id, now_s=NOW)
    sig = url.rsplit("&k=", 1)[0].rsplit("sig=", 1)[1]
    exp = str(int(NOW) + 3600)
    assert SIGNER.verify(media_id, exp, sig, now_s=NOW, key_id=key_id)
    assert not SIGNER.verify(media_id, exp, sig, now_s=NOW)
    if other != key_id:
        assert not SIGNER.verify(media_id, exp, sig, now_s=NOW, key_id=other)
