"""End-to-end fixtures: generated demo media, and the real service (uvicorn API + a real DBOS
worker, SQLite files in a temp data dir) started once for the module, with an organization,
an API key and the source imported into the catalog the way an operator does it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from e2e_support import LiveService, build_e2e_assets

from remixer.cli.demo import EmbeddedService, _free_port, _operator_setup
from remixer.cli.demo_assets import DemoAssets
from remixer.config import Settings


@pytest.fixture(scope="session")
def e2e_assets(tmp_path_factory: pytest.TempPathFactory) -> DemoAssets:
    return build_e2e_assets(tmp_path_factory.mktemp("assets"))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, e2e_assets: DemoAssets) -> Iterator[LiveService]:
    data_dir = tmp_path_factory.mktemp("data")
    port = _free_port()
    settings = Settings(
        data_dir=data_dir,
        database_url=None,
        public_url=f"http://127.0.0.1:{port}",
        _env_file=None,  # type: ignore[call-arg]
    )
    # `pilot`: the tests poll jobs several times a second, for minutes on a loaded
    # machine, which a `standard` key's 120 reads a minute would cut short with a 429.
    key = _operator_setup(settings, e2e_assets.source.parent, tier="pilot")
    service = EmbeddedService(settings, port)
    try:
        with httpx.Client(
            base_url=settings.public_url,
            timeout=60,
            headers={"Authorization": f"Bearer {key}"},
        ) as http:
            yield LiveService(http, e2e_assets, settings)
    finally:
        service.stop()
