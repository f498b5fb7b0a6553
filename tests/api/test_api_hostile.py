"""Hostile requests (issue 15): no 5xx, no body read before authorization, no tenant leaks.

Bytes read are counted at the ASGI boundary: `call_counting` drives the real app with a
`receive` that records every body chunk handed over, so "answered before consuming
the body" is measured, not inferred from the status code.
"""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from api_harness import Api, assert_error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from remixer.store.tables.accounts import Organization

DEEP = b"[" * 5000


@dataclass
class Counted:
    status: int = 0
    body: bytes = b""
    chunks_read: int = 0
    bytes_read: int = 0
    headers: dict[str, str] = field(default_factory=dict)


def call_counting(
    api: Api, method: str, path: str, headers: dict[str, str], chunks: int, chunk: bytes
) -> Counted:
    """Send `chunks` × `chunk` as the body of one request, counting what the app reads."""
    app = api.client.app
    out = Counted()
    sent = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent >= chunks:
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}
        sent += 1
        out.chunks_read += 1
        out.bytes_read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": sent < chunks}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out.status = message["status"]
            out.headers = {k.decode(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            out.body += message.get("body", b"")

    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("203.0.113.9", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 30))  # type: ignore[arg-type]
    return out


def _no_5xx(resp: Any) -> None:
    assert resp.status_code < 500, resp.text


def test_cancel_with_a_deeply_nested_body_is_never_a_500(api: Api) -> None:
    ctype = {"Content-Type": "application/json"}
    anon = api.client.post("/v1/jobs/job_x/cancel", content=DEEP, headers=ctype)
    assert_error(anon, 401, "UNAUTHENTICATED")
    shaped = api.client.post("/v1/jobs/job_x/cancel", content=DEEP, headers=api.headers(**ctype))
    assert_error(shaped, 422, "VALIDATION")
    missing = f"/v1/jobs/job_{'0' * 26}/cancel"
    keyed = api.headers(**ctype, **{"Idempotency-Key": "deep-1"})
    assert_error(api.client.post(missing, content=DEEP, headers=keyed), 404, "NOT_FOUND")
    for body in (b"\xff\xfe\x00garbage", b'{"a": "\\ud800"}', b"1" * 5000, b"[]" * 10):
        _no_5xx(api.client.post(missing, content=body, headers=keyed))


def test_json_routes_answer_422_for_hostile_bodies(api: Api) -> None:
    p = api.project()
    ctype = {"Content-Type": "application/json"}
    bodies = [
        DEEP,
        b'{"name": ' * 40 + b"1" + b"}" * 40,
        b'{"name": "\\u0000"}',
        b'{"name": "\\ud800"}',
        b'{"name": ' + b"9" * 5000 + b"}",
        b"\xc3\x28",
    ]
    routes = [
        ("POST", "/v1/projects"),
        ("PATCH", f"/v1/projects/{p['id']}"),
        ("POST", f"/v1/projects/{p['id']}/influencers"),
        ("POST", f"/v1/projects/{p['id']}/social-accounts"),
        ("POST", f"/v1/projects/{p['id']}/layers"),
    ]
    for method, path in routes:
        for body in bodies:
            resp = api.client.request(method, path, content=body, headers=api.headers(**ctype))
            assert_error(resp, 422, "VALIDATION")


def test_no_body_is_read_before_authentication(api: Api) -> None:
    ctype = {"content-type": "application/json", "content-length": str(64 * 1024 * 10)}
    got = call_counting(api, "POST", "/v1/jobs/job_x/cancel", ctype, 10, b"[" * 65536)
    assert got.status == 401 and got.chunks_read == 0, got
    forbidden = {**ctype, "authorization": f"Bearer {api.new_key('projects:read')}"}
    got = call_counting(api, "POST", "/v1/projects", forbidden, 10, b"[" * 65536)
    assert got.status == 403 and got.chunks_read == 0, got


def test_upload_to_a_missing_project_is_refused_before_the_body(api: Api) -> None:
    """150 MB of multipart to a project that does not exist: 404 with no byte read."""
    chunk = b"x" * (1 << 20)
    headers = {
        "authorization": f"Bearer {api.key}",
        "content-type": "multipart/form-data; boundary=zzz",
        "content-length": str(150 * len(chunk)),
    }
    path = f"/v1/projects/prj_{uuid.uuid4()}/media"
    got = call_counting(api, "POST", path, headers, 150, chunk)
    assert got.status == 404 and got.bytes_read == 0, got
    archived = api.project()
    assert api.delete(f"/v1/projects/{archived['id']}").status_code == 200
    got = call_counting(api, "POST", f"/v1/projects/{archived['id']}/media", headers, 150, chunk)
    assert got.status == 409 and got.bytes_read == 0, got
    got = call_counting(api, "POST", path, {**headers, "authorization": "Bearer x"}, 150, chunk)
    assert got.status == 401 and got.bytes_read == 0, got


def test_upload_size_is_enforced_while_streaming(api: Api) -> None:
    """No Content-Length: the body is cut off once the file passes the cap, not read to its
    end (150 chunks of 1 MiB offered, cap 4 MiB)."""
    p = api.project()
    object.__setattr__(api.components.settings, "max_video_bytes", 4 << 20)
    object.__setattr__(api.components.settings, "max_image_bytes", 1 << 20)
    head = (
        b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n'
        b"Content-Type: video/mp4\r\n\r\n"
    )
    chunk = head + b"x" * ((1 << 20) - len(head))
    headers = {
        "authorization": f"Bearer {api.key}",
        "content-type": "multipart/form-data; boundary=zzz",
    }
    got = call_counting(api, "POST", f"/v1/projects/{p['id']}/media", headers, 150, chunk)
    assert got.status == 413, got
    assert got.bytes_read <= 6 * len(chunk), got
    assert _stored_media(api) == 0 and _blob_files(api) == []


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 30)).save(buf, format="JPEG")
    return buf.getvalue()


def _upload(api: Api, project_id: str, data: bytes) -> Any:
    return api.client.post(
        f"/v1/projects/{project_id}/media",
        headers=api.headers(),
        files={"file": ("f.jpg", data, "image/jpeg")},
    )


def _stored_media(api: Api) -> int:
    from sqlalchemy import func, select

    from remixer.store.tables.influencers import Media

    with api.components.uow_factory() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Media)) or 0)


def _blob_files(api: Api) -> list[str]:
    root = api.components.settings.media_dir
    return [str(p) for p in root.rglob("*") if p.is_file()]


def test_a_probe_over_its_limits_is_415_and_stores_nothing(api: Api) -> None:
    from remixer.blobs.probe import ProbeLimits, SandboxedInspector

    p = api.project()
    for limits in (ProbeLimits(wall_s=0.001), ProbeLimits(memory_bytes=16 * 1024 * 1024)):
        api.components.inspector = SandboxedInspector(limits)
        resp = _upload(api, p["id"], _jpeg())
        assert_error(resp, 415, "UNSUPPORTED_MEDIA_TYPE")
        assert _stored_media(api) == 0 and _blob_files(api) == []
    api.components.inspector = SandboxedInspector()
    assert _upload(api, p["id"], _jpeg()).status_code == 201


def _sig_url(api: Api, media_id: str) -> str:
    return api.components.signer.url_for(media_id).replace("http://testserver", "")


def test_media_route_answers_403_for_hostile_signatures(api: Api) -> None:
    p = api.project()
    media_id = _upload(api, p["id"], _jpeg()).json()["mediaId"]
    good = _sig_url(api, media_id)
    sig = good.split("sig=")[1]
    hostile = [
        "exp=%C2%B2&sig=a",
        f"exp={'9' * 5000}&sig={sig}",
        f"exp={int(time.time()) + 60}&sig=%C3%A9",
        f"exp={int(time.time()) + 60}&sig={'é' * 64}",
        f"exp=-1&sig={sig}",
        f"exp=&sig={sig}",
        "exp=1e9&sig=0",
        f"exp=%00&sig={sig.upper()}",
    ]
    for query in hostile:
        assert_error(api.client.get(f"/v1/media/{media_id}?{query}"), 403, "FORBIDDEN_SCOPE")
        assert_error(api.client.get(f"/v1/media/x?{query}"), 403, "FORBIDDEN_SCOPE")
    assert api.client.get(good).status_code == 200


def test_media_rate_limit_counts_failed_signatures_per_address(api: Api) -> None:
    p = api.project()
    media_id = _upload(api, p["id"], _jpeg()).json()["mediaId"]
    good = _sig_url(api, media_id)
    for _ in range(130):  # valid URLs are never counted
        assert api.client.get(good).status_code == 200
    for i in range(120):
        resp = api.client.get(f"/v1/media/med_{i}?exp=1&sig=0")
        assert_error(resp, 403, "FORBIDDEN_SCOPE")
    limited = api.client.get(f"/v1/media/{media_id}?exp=1&sig=0")
    assert_error(limited, 429, "RATE_LIMITED")
    assert int(limited.headers["retry-after"]) >= 1
    assert api.client.get(good).status_code == 200  # the asset itself is not locked out
    other = call_counting(api, "GET", f"/v1/media/{media_id}?exp=1&sig=0", {}, 0, b"")
    assert other.status == 403, other  # another client address has its own bucket


def test_signed_urls_obey_the_organization_kill_switch(api: Api) -> None:
    p = api.project()
    media_id = _upload(api, p["id"], _jpeg()).json()["mediaId"]
    good = _sig_url(api, media_id)
    assert api.client.get(good).status_code == 200
    with api.components.uow_factory() as uow:
        org = uow.session.get(Organization, api.org_id)
        assert org is not None
        org.suspended = True
        uow.commit()
    err = assert_error(api.client.get(good), 503, "KILL_SWITCH")
    assert err["details"] == {"scope": "org"}


def test_reference_images_must_be_in_this_project(api: Api) -> None:
    here, there = api.project(), api.project(name="Other")
    foreign = _upload(api, there["id"], _jpeg()).json()["mediaId"]
    local = _upload(api, here["id"], _jpeg()).json()["mediaId"]
    base = f"/v1/projects/{here['id']}/influencers"
    body = {"name": "Ava", "referenceImageIds": [local, foreign]}
    assert_error(api.post(base, body), 404, "NOT_FOUND")
    assert api.post(base, {"name": "Ava", "referenceImageIds": [local]}).status_code == 202


def test_path_and_project_checks_win_over_body_errors(api: Api) -> None:
    """A missing project (or a malformed id) answers before its body is parsed."""
    missing = f"prj_{uuid.uuid4()}"
    ctype = {"Content-Type": "application/json"}
    routes = [
        ("PATCH", f"/v1/projects/{missing}"),
        ("POST", f"/v1/projects/{missing}/influencers"),
        ("POST", f"/v1/projects/{missing}/social-accounts"),
        ("POST", f"/v1/projects/{missing}/layers"),
        ("PATCH", f"/v1/projects/{missing}/layers/lyr_{uuid.uuid4()}"),
        ("PATCH", f"/v1/projects/{missing}/social-accounts/sa_{uuid.uuid4()}"),
        ("PATCH", f"/v1/influencers/inf_{uuid.uuid4()}"),
    ]
    for method, path in routes:
        resp = api.client.request(method, path, content=DEEP, headers=api.headers(**ctype))
        assert_error(resp, 404, "NOT_FOUND")
        bad = path.replace(missing, "prj_nope").replace("inf_", "inf_x")
        err = assert_error(
            api.client.request(method, bad, content=DEEP, headers=api.headers(**ctype)),
            422,
            "VALIDATION",
        )
        assert err["details"]["issues"][0]["path"].startswith("path."), err
    _, other_key = api.new_org()
    mine = api.project()
    resp = api.client.request(
        "PATCH", f"/v1/projects/{mine['id']}", content=DEEP, headers=api.headers(other_key, **ctype)
    )
    assert_error(resp, 404, "NOT_FOUND")
    first = api.patch(f"/v1/projects/{mine['id']}", {"name": "Renamed"})
    second = api.patch(f"/v1/projects/{mine['id']}", {"name": "Again"})
    assert first.status_code == second.status_code == 200
    used = int(first.headers["x-ratelimit-remaining"]) - int(
        second.headers["x-ratelimit-remaining"]
    )
    assert used == 1, "the path check shares the route's auth: one hit per request"


def test_signed_urls_die_with_the_key_they_were_issued_to(api: Api) -> None:
    p = api.project()
    media_id = _upload(api, p["id"], _jpeg()).json()["mediaId"]
    doomed = api.new_key()
    doomed_id = api.get("/v1/whoami", key=doomed).json()["apiKeyId"]
    bound = api.components.signer.for_key(doomed_id).url_for(media_id)
    assert f"&k={doomed_id}" in bound
    bound = bound.replace("http://testserver", "")
    plain = _sig_url(api, media_id)
    assert api.client.get(bound).status_code == 200
    forged = bound.replace(doomed_id, api.get("/v1/whoami").json()["apiKeyId"])
    assert_error(api.client.get(forged), 403, "FORBIDDEN_SCOPE")  # k is inside the signature
    assert api.post(f"/v1/api-keys/{doomed_id}/kill").status_code == 200
    err = assert_error(api.client.get(bound), 503, "KILL_SWITCH")
    assert err["details"] == {"scope": "key"}
    assert api.client.get(plain).status_code == 200  # unbound URLs follow the org only


def test_hostile_cursors_are_422(api: Api) -> None:
    """Cursors are opaque base64 JSON: a crafted one holding NUL or a lone surrogate (which
    PostgreSQL and UTF-8 refuse) is a validation error, not a database error."""
    import base64

    p = api.project()
    payloads = [
        '{"id":"\\u0000"}',
        '{"id":"\\ud800"}',
        '{"t":"2026-01-01T00:00:00.000Z","id":"\\u0000"}',
        '{"t":"2026-01-01T00:00:00.000Z","id":"\\udfff"}',
        "[" * 300,
    ]
    paths = [
        "/v1/projects",
        "/v1/credits/events",
        f"/v1/projects/{p['id']}/content",
        f"/v1/projects/{p['id']}/influencers",
        f"/v1/projects/{p['id']}/layers",
        f"/v1/projects/{p['id']}/social-accounts",
    ]
    for payload in payloads:
        cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        for path in paths:
            assert_error(api.get(path, params={"cursor": cursor}), 422, "VALIDATION")
    for cursor in ("%%%", "é" * 10, "\x00"):
        for path in paths:
            assert_error(api.get(path, params={"cursor": cursor}), 422, "VALIDATION")


def _fuzz_tenant(api: Api) -> tuple[str, str]:
    """A key of an `unlimited` organization and one of its projects (made once per test):
    fuzzing must reach the handlers, not stop at the rate limiter."""
    cached: tuple[str, str] | None = getattr(api, "_fuzz_tenant", None)
    if cached is None:
        _, key = api.new_org(tier="unlimited")
        resp = api.post("/v1/projects", {"name": "Fuzz"}, key=key)
        assert resp.status_code == 201, resp.text
        cached = (key, resp.json()["id"])
        api._fuzz_tenant = cached  # type: ignore[attr-defined]
    return cached


# What a client can put in a header or URL: any text but lone surrogates (not encodable).
HOSTILE_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=60) | st.sampled_from(
    ["\x00", "²", "é" * 64, "9" * 5000, "[" * 3000, "%ED%A0%80"]
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.binary(max_size=400) | st.sampled_from([DEEP, b"{" * 5000, b'{"name":"\\u0000"}']),
    ctype=st.sampled_from(["application/json", "application/json; charset=latin-1", "text/plain"]),
    idem=st.none() | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7F), max_size=300),
    route=st.integers(0, 9),
)
def test_arbitrary_bodies_to_every_mutating_route_never_5xx(
    api: Api, body: bytes, ctype: str, idem: str | None, route: int
) -> None:
    key, pid = _fuzz_tenant(api)
    routes = [
        ("POST", "/v1/projects"),
        ("PATCH", f"/v1/projects/{pid}"),
        ("POST", f"/v1/projects/{pid}/influencers"),
        ("POST", f"/v1/projects/{pid}/social-accounts"),
        ("POST", f"/v1/projects/{pid}/layers"),
        ("POST", f"/v1/projects/{pid}/media"),
        ("POST", f"/v1/jobs/job_{'0' * 26}/cancel"),
        ("POST", "/v1/jobs/job_x/cancel"),
        ("POST", f"/v1/api-keys/key_{uuid.uuid4()}/kill"),
        ("PATCH", f"/v1/influencers/inf_{uuid.uuid4()}"),
    ]
    method, path = routes[route]
    headers = api.headers(key, **{"Content-Type": ctype})
    if idem is not None:
        headers["Idempotency-Key"] = idem
    resp = api.client.request(method, path, content=body, headers=headers)
    assert resp.status_code < 500, (method, path, body[:80], resp.text)
    assert set(resp.json()) == {"error"} or resp.status_code < 300


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "limit",
                "cursor",
                "keyword",
                "kind",
                "status",
                "format",
                "since",
                "until",
                "exp",
                "sig",
                "k",
            ]
        ),
        HOSTILE_TEXT,
        max_size=4,
    ),
    route=st.integers(0, 6),
)
def test_arbitrary_query_strings_never_5xx(api: Api, params: dict[str, str], route: int) -> None:
    key, pid = _fuzz_tenant(api)
    paths = [
        "/v1/projects",
        f"/v1/projects/{pid}/content",
        f"/v1/projects/{pid}/content/source-recommendations",
        "/v1/credits/events",
        f"/v1/media/med_{'0' * 26}",
        f"/v1/projects/{pid}/influencers",
        f"/v1/media/srcthumb_{'7' * 19}",
    ]
    resp = api.get(paths[route], key=key, params=params)
    assert resp.status_code < 500, (paths[route], params, resp.text)


MULTIPART_PIECES = st.sampled_from(
    [
        b"--zzz\r\n",
        b"--zzz--\r\n",
        b'Content-Disposition: form-data; name="file"; filename="a.jpg"\r\n',
        b'Content-Disposition: form-data; name="other"\r\n',
        b"Content-Disposition: form-data\r\n",
        b"Content-Type: image/jpeg\r\n",
        b"X-" + b"h" * 5000 + b": v\r\n",
        b"\r\n",
        b"\xff\xd8\xff\xe0 not really a jpeg",
        b"\x00" * 64,
    ]
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pieces=st.lists(MULTIPART_PIECES | st.binary(max_size=64), max_size=12),
    boundary=st.sampled_from(["zzz", "", "z" * 300, 'zzz"; x="y']),
)
def test_arbitrary_multipart_uploads_never_5xx(
    api: Api, pieces: list[bytes], boundary: str
) -> None:
    key, pid = _fuzz_tenant(api)
    headers = api.headers(key, **{"Content-Type": f"multipart/form-data; boundary={boundary}"})
    resp = api.client.post(
        f"/v1/projects/{pid}/media",
        content=b"".join(pieces),
        headers=headers,
    )
    assert resp.status_code < 500, (pieces, resp.text)
    assert resp.status_code in (201, 413, 415, 422), resp.text


def test_video_remix_hostile_bodies_never_5xx(api: Api) -> None:
    """The accept path shares the bounded decoder: never a 500, and no key is always 401."""
    p = api.project()
    path = f"/v1/projects/{p['id']}/content/video-remix"
    ctype = {"Content-Type": "application/json"}
    bodies = [DEEP, b'{"tiktokVideoId":"\\u0000"}', b'{"a":"\\ud800"}', b"9" * 5000, b"\xff"]
    for body in bodies:
        assert_error(api.client.post(path, content=body, headers=ctype), 401, "UNAUTHENTICATED")
        for extra in ({}, {"Idempotency-Key": "vr-hostile"}):
            resp = api.client.post(path, content=body, headers=api.headers(**ctype, **extra))
            assert_error(resp, 422, "VALIDATION")


def test_unusable_ranges_serve_the_whole_file(api: Api) -> None:
    """Malformed, oversized or unsatisfiable Range headers are ignored (200, whole file):
    never a bare-text 400/416 outside the error envelope, never a 5xx."""
    p = api.project()
    data = _jpeg()
    url = _sig_url(api, _upload(api, p["id"], data).json()["mediaId"])
    assert api.client.get(url, headers={"Range": "bytes=2-5"}).content == data[2:6]
    multi = api.client.get(url, headers={"Range": "bytes=0-0,2-2"})
    assert multi.status_code == 206
    hostile = [
        "items=0-1",
        "bytes=5-1",
        "bytes=--",
        "bytes=-0",
        f"bytes={len(data)}-",
        "bytes=" + "9" * 40 + "-",
        "bytes=-" + "9" * 40,
        "bytes=" + ",".join(["0-1"] * 17),
        "bytes=0-1" * 100,
        "bytes=0-1,",
    ]
    for value in hostile:
        resp = api.client.get(url, headers={"Range": value})
        assert resp.status_code == 200 and resp.content == data, (value, resp.status_code)
    for raw in (b"bytes=\xb2-", b"bytes=\xd9\xa1-", b"bytes=\xff"):
        assert _get_with_raw_headers(api, url, [(b"range", raw)]) == 200, raw


def _get_with_raw_headers(api: Api, url: str, headers: list[tuple[bytes, bytes]]) -> int:
    """A GET whose header bytes are sent as-is (clients may send non-ASCII bytes)."""
    app = api.client.app
    status = 0
    path, _, query = url.partition("?")

    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # no disconnect: the response finishing cancels this
        sent = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("203.0.113.10", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 30))  # type: ignore[arg-type]
    return status
