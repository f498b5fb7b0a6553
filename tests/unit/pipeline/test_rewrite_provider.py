"""Who wrote the copy reaches the job's container: `copyProvider` in its quality figures,
and a `copy_fallback` warning when the chat model failed and the offline adapter wrote it."""

from __future__ import annotations

from remixer.pipeline.rewrite import CopyBrief, OfflineCopyAdapter, adapt_reporting, copy_items
from remixer.workflows.remix_stages import copy_quality


def test_offline_adapter_reports_itself() -> None:
    outcome = adapt_reporting(
        OfflineCopyAdapter(grammar=None), copy_items([["Follow for more tips"]]), CopyBrief()
    )
    assert outcome.provider == "offline" and outcome.reason == ""
    assert len(outcome.texts) == 1


def test_container_quality_names_the_provider_and_warns_on_fallback() -> None:
    assert copy_quality({"copyProvider": "chat"}, {}) == {"copyProvider": "chat", "warnings": []}
    fallback = copy_quality({"copyProvider": "offline-fallback"}, {"warnings": ["occluded"]})
    assert fallback == {
        "copyProvider": "offline-fallback",
        "warnings": ["occluded", "copy_fallback"],
    }
    assert copy_quality({}, {})["copyProvider"] == "offline"
