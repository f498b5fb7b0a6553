"""The shared orchestration: the phase table, the lanes running at once, which stage is
current, and a failing lane stopping the other."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import pytest

from remixer.domain.jobs import REMIX_STAGES
from remixer.pipeline.errors import PipelineCanceled, PipelineError
from remixer.pipeline.orchestration import (
    PHASES,
    STAGES,
    HooksFor,
    StageBoard,
    finished_before,
    phase_named,
    run_phase,
    run_remix,
)


def test_stages_are_the_specs() -> None:
    assert REMIX_STAGES[1:] == STAGES


def test_every_stage_is_worked_on_and_its_shares_make_one() -> None:
    shares = dict.fromkeys(STAGES, 0.0)
    for phase in PHASES:
        for task in phase.tasks:
            for stage, share in task.parts:
                shares[stage] += share
    assert shares == pytest.approx(dict.fromkeys(STAGES, 1.0))


def test_each_task_reads_only_what_was_handed_on_before_it() -> None:
    written: set[str] = set()
    for phase in PHASES:
        written_in_phase: set[str] = set()
        for lane in phase.lanes:
            in_lane: set[str] = set()
            for task in lane:
                missing = set(task.reads) - written - in_lane
                assert not missing, f"{task.work} reads {missing} before it is written"
                in_lane.add(task.output)
            written_in_phase |= in_lane
        written |= written_in_phase
    assert written == {*STAGES, "quality"}


def test_the_face_track_runs_beside_ocr_and_the_swap_in_the_dense_pass() -> None:
    analysis = phase_named("analysis")
    lanes = [[task.work for task in lane] for lane in analysis.lanes]
    assert lanes == [["extract_overlays", "adapt_copy"], ["analyze_face"]]
    (dense,) = phase_named("dense").lanes
    assert [stage for stage, _ in dense[0].parts] == ["face_swapping", "rendering"]
    (measuring,) = phase_named("measuring").lanes
    assert [stage for stage, _ in measuring[0].parts] == ["rendering"]


@dataclass
class Display:
    entered: list[str] = field(default_factory=list)
    progress_of: dict[str, list[float]] = field(default_factory=dict)
    cancel: threading.Event = field(default_factory=threading.Event)

    def enter(self, stage: str) -> None:
        self.entered.append(stage)

    def progress(self, stage: str, fraction: float) -> None:
        self.progress_of.setdefault(stage, []).append(fraction)

    def check_cancel(self, stage: str) -> None:
        if self.cancel.is_set():
            raise PipelineCanceled()


@dataclass
class Work:
    """Records what ran, in which thread; the two analysis lanes meet at a barrier, so the
    analysis phase only finishes if they really run at once."""

    ran: list[str] = field(default_factory=list)
    threads: dict[str, str] = field(default_factory=dict)
    meet: threading.Barrier = field(default_factory=lambda: threading.Barrier(2, timeout=5))
    fail_track: bool = False
    ocr_checks: int = 0

    def _note(self, name: str) -> None:
        self.ran.append(name)
        self.threads[name] = threading.current_thread().name

    def fetch_source(self, hooks: HooksFor) -> None:
        self._note("fetch_source")

    def extract_overlays(self, hooks: HooksFor) -> None:
        self._note("extract_overlays")
        if self.fail_track:
            for _ in range(500):  # a frame loop: stops at a cancel check once the track fails
                self.ocr_checks += 1
                hooks("extracting_overlays").check_cancel()
                time.sleep(0.01)
            return
        self.meet.wait()
        hooks("extracting_overlays").progress(0.5)

    def adapt_copy(self, hooks: HooksFor) -> None:
        self._note("adapt_copy")

    def analyze_face(self, hooks: HooksFor) -> None:
        self._note("analyze_face")
        if self.fail_track:
            raise PipelineError("NO_FACE_FOUND", "No face.")
        self.meet.wait()
        hooks("face_swapping").progress(0.5)

    def render_video(self, hooks: HooksFor) -> None:
        self._note("render_video")
        hooks("face_swapping").progress(0.5)
        hooks("face_swapping").progress(1.0)
        hooks("rendering").progress(0.9)

    def measure_output(self, hooks: HooksFor) -> None:
        self._note("measure_output")
        hooks("rendering").progress(0.5)

    def finalize(self, hooks: HooksFor) -> None:
        self._note("finalize")


def test_a_whole_remix_runs_every_task_and_enters_the_stages_in_order() -> None:
    work, display = Work(), Display()
    run_remix(work, display)
    assert sorted(work.ran) == sorted(task.work for phase in PHASES for task in phase.tasks)
    assert work.threads["extract_overlays"] != work.threads["analyze_face"]
    entered = [s for n, s in enumerate(display.entered) if n == 0 or display.entered[n - 1] != s]
    assert entered == list(STAGES)
    for stage, seen in display.progress_of.items():
        assert seen == sorted(seen), f"{stage} went back: {seen}"
        assert seen[-1] == 1.0


def test_face_swapping_covers_the_track_then_the_swap() -> None:
    work, display = Work(), Display()
    run_remix(work, display)
    # the track's half of its share, then the swap's part from the dense pass
    seen = sorted(set(display.progress_of["face_swapping"]) - {0.0})
    assert seen == pytest.approx([0.05, 0.1, 0.55, 1.0])


def test_rendering_becomes_current_only_when_every_frame_is_swapped() -> None:
    board_display = Display()
    board = StageBoard(board_display, finished_before(phase_named("dense")))
    board.start()
    (render,) = phase_named("dense").lanes[0]
    board.report(render, "rendering", 0.8)
    board.report(render, "face_swapping", 0.99)
    assert board_display.entered == ["face_swapping"]
    board.report(render, "face_swapping", 1.0)
    assert board_display.entered == ["face_swapping", "rendering"]
    assert board.fraction("rendering") == pytest.approx(0.4)  # the dense pass's half


def test_a_failing_lane_stops_the_other_and_its_error_is_raised() -> None:
    work, display = Work(fail_track=True), Display()
    started = time.monotonic()
    with pytest.raises(PipelineError) as info:
        run_phase(phase_named("analysis"), work, display)
    assert info.value.code == "NO_FACE_FOUND"
    assert time.monotonic() - started < 3.0
    assert 0 < work.ocr_checks < 500
    assert "adapt_copy" not in work.ran


def test_a_cancel_stops_both_lanes() -> None:
    work, display = Work(fail_track=False), Display()
    display.cancel.set()

    def cancel_now(hooks: HooksFor) -> None:
        hooks("extracting_overlays").check_cancel()

    work.extract_overlays = cancel_now  # type: ignore[method-assign]
    work.meet = threading.Barrier(1)
    with pytest.raises(PipelineCanceled):
        run_phase(phase_named("analysis"), work, display)
    assert "adapt_copy" not in work.ran
