"""The TikTok provider on yt-dlp against a local HTTP server, and the catalog hand-off.

yt-dlp's generic extractor fetches `http://127.0.0.1:PORT/v/<id>.mp4` through the
provider's injectable URL template, so error mapping and `fetch_source` run for real
without TikTok. One test talks to TikTok itself, only when a network is present.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from remixer.blobs.store import LocalBlobStore, sha256_of
from remixer.cli.sources import probe_source
from remixer.services.sources import fetch_source, is_resolvable
from remixer.sources.errors import SourceError
from remixer.sources.metadata import FetchedSource
from remixer.sources.providers import SourceProvider, build_source_providers
from remixer.store.uow import UnitOfWorkFactory

GOOD, HTML, BROKEN, MISSING = (
    "7000000000000000001",
    "7000000000000000002",
    "7000000000000000003",
    "7000000000000000004",
)


class Site:
    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.hits: list[str] = []


@pytest.fixture
def site(tmp_path: Path, pair_maker: Callable[..., Path]) -> Iterator[tuple[Site, str]]:
    state = Site()
    video = pair_maker(tmp_path / "served", "clip", None)
    state.pages[f"/v/{GOOD}.mp4"] = ("video/mp4", video.read_bytes())
    state.pages[f"/v/{HTML}.mp4"] = ("text/html", b"<html><body>Sign in</body></html>")
    state.pages[f"/v/{BROKEN}.mp4"] = ("video/mp4", b"\x00" * 2048)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body: bool) -> None:
            state.hits.append(self.path)
            page = state.pages.get(self.path)
            if page is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", page[0])
            self.send_header("Content-Length", str(len(page[1])))
            self.end_headers()
            if body:
                self.wfile.write(page[1])

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    template = f"http://127.0.0.1:{server.server_address[1]}/v/{{id}}.mp4"
    yield state, template
    server.shutdown()
    server.server_close()
    thread.join()


def providers_for(template: str) -> list[SourceProvider]:
    return build_source_providers(["catalog", "tiktok"], tiktok_url_template=template, timeout_s=5)


def test_fetch_adds_the_video_to_the_catalog_once(
    site: tuple[Site, str], uow_factory: UnitOfWorkFactory, blobs: LocalBlobStore
) -> None:
    state, template = site
    providers = providers_for(template)
    record = fetch_source(uow_factory, blobs, providers, GOOD, probe=probe_source)
    served = state.pages[f"/v/{GOOD}.mp4"][1]
    assert blobs.path_of(record.blob_key).read_bytes() == served
    assert record.checksum_sha256 == sha256_of(blobs.path_of(record.blob_key))
    assert (record.tiktok_id, record.origin, record.probe["width"]) == (GOOD, "tiktok", 64)
    with uow_factory() as uow:
        assert uow.catalog.get(GOOD) == record
    hits = len(state.hits)
    assert fetch_source(uow_factory, blobs, providers, GOOD) == record
    assert len(state.hits) == hits, "a catalog hit must not fetch again"


def test_accept_time_resolution(
    site: tuple[Site, str], uow_factory: UnitOfWorkFactory, blobs: LocalBlobStore
) -> None:
    _, template = site
    providers = providers_for(template)
    assert is_resolvable(uow_factory, providers, GOOD) is True
    assert is_resolvable(uow_factory, providers, MISSING) is False
    assert is_resolvable(uow_factory, providers, "123") is False
    assert is_resolvable(uow_factory, [], GOOD) is False
    fetch_source(uow_factory, blobs, providers, GOOD)
    assert is_resolvable(uow_factory, [], GOOD) is True, "catalog hit needs no provider"


@pytest.mark.parametrize(
    ("tiktok_id", "fragment"), [(MISSING, "could not be fetched"), (HTML, "could not be fetched")]
)
def test_fetch_failures_become_source_unavailable(
    site: tuple[Site, str],
    uow_factory: UnitOfWorkFactory,
    blobs: LocalBlobStore,
    tiktok_id: str,
    fragment: str,
) -> None:
    _, template = site
    with pytest.raises(SourceError) as info:
        fetch_source(uow_factory, blobs, providers_for(template), tiktok_id, probe=probe_source)
    assert info.value.code == "SOURCE_UNAVAILABLE"
    assert fragment in info.value.message and "(tiktok)" in info.value.message
    with uow_factory() as uow:
        assert uow.catalog.get(tiktok_id) is None


def test_fetched_file_that_is_not_a_video_is_source_invalid(
    site: tuple[Site, str], uow_factory: UnitOfWorkFactory, blobs: LocalBlobStore
) -> None:
    _, template = site
    with pytest.raises(SourceError) as info:
        fetch_source(uow_factory, blobs, providers_for(template), BROKEN, probe=probe_source)
    assert info.value.code == "SOURCE_INVALID"
    with uow_factory() as uow:
        assert uow.catalog.count() == 0


def test_unreachable_server_and_no_provider(
    uow_factory: UnitOfWorkFactory, blobs: LocalBlobStore
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v/{{id}}.mp4"
    with pytest.raises(SourceError) as info:
        fetch_source(uow_factory, blobs, providers_for(dead), GOOD)
    assert info.value.code == "SOURCE_UNAVAILABLE"
    with pytest.raises(SourceError) as none:
        fetch_source(uow_factory, blobs, [], GOOD)
    assert none.value.code == "SOURCE_UNAVAILABLE"
    assert "no fetching source is configured" in none.value.message
    with pytest.raises(SourceError) as bad:
        fetch_source(uow_factory, blobs, [], "12")
    assert bad.value.code == "INVALID_TIKTOK_ID"


class FlakyProvider:
    """A port fake: fails first, to show the next provider is tried."""

    name = "flaky"

    def can_fetch(self, tiktok_id: str) -> bool:
        raise SourceError("SOURCE_UNAVAILABLE", "down")

    def fetch(self, tiktok_id: str, dest_dir: Path) -> FetchedSource:
        raise SourceError("SOURCE_UNAVAILABLE", "down")


def test_providers_are_tried_in_order(
    site: tuple[Site, str], uow_factory: UnitOfWorkFactory, blobs: LocalBlobStore
) -> None:
    _, template = site
    providers: list[SourceProvider] = [FlakyProvider(), *providers_for(template)]
    assert is_resolvable(uow_factory, providers, GOOD) is True
    assert is_resolvable(uow_factory, providers[:1], GOOD) is False
    assert fetch_source(uow_factory, blobs, providers, GOOD).origin == "tiktok"


def _online() -> bool:
    try:
        socket.create_connection(("www.tiktok.com", 443), timeout=3).close()
    except OSError:
        return False
    return True


@pytest.mark.network
@pytest.mark.skipif(not _online(), reason="no network: www.tiktok.com is unreachable")
def test_real_tiktok_fetch(uow_factory: UnitOfWorkFactory, blobs: LocalBlobStore) -> None:
    providers = build_source_providers(["catalog", "tiktok"])
    tiktok_id = "6748451240264420610"  # a public post from yt-dlp's own TikTok test cases
    record = fetch_source(uow_factory, blobs, providers, tiktok_id, probe=probe_source)
    assert record.probe["width"] > 0 and blobs.exists(record.blob_key)
    assert record.author is not None and record.author.startswith("@")
