"""One orchestration of the remix stages, for `remixer remix` and the `remix.v1` job.

Written here once: the stage sequence (`PHASES`), what runs at the same time (the lanes
of a phase), which stage each piece of work belongs to and what it hands on (`Task`).
A runner supplies the work (`RemixWork`: the CLI keeps outputs in memory, the job in its
state and blob store) and shows progress (`StageDisplay`); the job runs each phase as one
DBOS step, so a resumed job skips the phases it finished.

Two passes over the video: the sparse analysis phase runs OCR (then the copy, which
needs its text) beside the face track; the dense phase decodes each frame once, swaps
the face, erases and redraws the captions and encodes; the measuring phase reads the
rendered file back for its quality figures. A SPEC stage is *current* while it is the
earliest stage with work left: `face_swapping` spans the face track and the swap of
every frame in the dense pass; `rendering` is current once the last frame is swapped,
until the file is written and measured (the dense pass paints and encodes each frame
right behind its swap, so much of the rendering work runs while `face_swapping` is
current).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from remixer.pipeline.errors import PipelineCanceled
from remixer.pipeline.types import StageHooks

STAGES: tuple[str, ...] = (
    "fetching_source",
    "extracting_overlays",
    "adapting_copy",
    "face_swapping",
    "rendering",
    "finalizing",
)
"""SPEC §7.2's stages, in order."""

TRACK_SHARE = 0.1
"""The face track's share of `face_swapping` progress; the swap of every frame is the rest."""
RENDER_SHARE = 0.5
"""The dense pass's share of `rendering` progress; reading the rendered file back to
measure it (identity, coverage, steadiness) is the rest."""

HooksFor = Callable[[str], StageHooks]
"""A task's hooks by stage name (the dense pass reports to two stages)."""


@dataclass(frozen=True)
class Task:
    """A piece of stage work: `work` names the `RemixWork` method, `parts` the stages it
    advances with its share of each, `output` the name its result is handed on under
    (the job's `state` key), `reads` the outputs it needs."""

    work: str
    parts: tuple[tuple[str, float], ...]
    output: str
    reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phase:
    """Work run at once (one DBOS step in the job): lanes in parallel, each lane in order."""

    name: str
    lanes: tuple[tuple[Task, ...], ...]

    @property
    def tasks(self) -> Iterator[Task]:
        for lane in self.lanes:
            yield from lane


FETCH = Task("fetch_source", (("fetching_source", 1.0),), "fetching_source")
EXTRACT = Task(
    "extract_overlays", (("extracting_overlays", 1.0),), "extracting_overlays", ("fetching_source",)
)
ADAPT = Task(
    "adapt_copy",
    (("adapting_copy", 1.0),),
    "adapting_copy",
    ("fetching_source", "extracting_overlays"),
)
TRACK = Task(
    "analyze_face", (("face_swapping", TRACK_SHARE),), "face_swapping", ("fetching_source",)
)
RENDER = Task(
    "render_video",
    (("face_swapping", 1.0 - TRACK_SHARE), ("rendering", RENDER_SHARE)),
    "rendering",
    ("fetching_source", "extracting_overlays", "adapting_copy", "face_swapping"),
)
MEASURE = Task(
    "measure_output",
    (("rendering", 1.0 - RENDER_SHARE),),
    "quality",
    ("fetching_source", "face_swapping", "rendering"),
)
FINALIZE = Task(
    "finalize",
    (("finalizing", 1.0),),
    "finalizing",
    ("fetching_source", "extracting_overlays", "adapting_copy", "rendering", "quality"),
)

PHASES: tuple[Phase, ...] = (
    Phase("fetching_source", ((FETCH,),)),
    Phase("analysis", ((EXTRACT, ADAPT), (TRACK,))),
    Phase("dense", ((RENDER,),)),
    Phase("measuring", ((MEASURE,),)),
    Phase("finalizing", ((FINALIZE,),)),
)


def phase_named(name: str) -> Phase:
    return next(phase for phase in PHASES if phase.name == name)


class RemixWork(Protocol):
    """What each task does; an implementation keeps each result under its task's `output`."""

    def fetch_source(self, hooks: HooksFor) -> None: ...
    def extract_overlays(self, hooks: HooksFor) -> None: ...
    def adapt_copy(self, hooks: HooksFor) -> None: ...
    def analyze_face(self, hooks: HooksFor) -> None: ...
    def render_video(self, hooks: HooksFor) -> None: ...
    def measure_output(self, hooks: HooksFor) -> None: ...
    def finalize(self, hooks: HooksFor) -> None: ...


class StageDisplay(Protocol):
    """Where progress goes: the CLI's bars, or the job row."""

    def enter(self, stage: str) -> None:
        """`stage` became current (the earliest stage with work left); called again for
        the current stage when the next phase starts."""

    def progress(self, stage: str, fraction: float) -> None:
        """`stage` is `fraction` done (called for any stage, current or not)."""

    def check_cancel(self, stage: str) -> None:
        """Raise to stop the work (called from the frame loops of `stage`'s tasks)."""


class _Stopped(PipelineCanceled):
    """Raised in a lane because another lane failed; the other lane's error is the one."""


class StageBoard:
    """Each stage's progress from its tasks' parts; tells the display which stage is
    current. Thread-safe: the lanes of a phase report from their own threads."""

    def __init__(self, display: StageDisplay, finished: set[str]) -> None:
        self._display = display
        self._lock = threading.Lock()
        self._done: dict[tuple[str, str], float] = {}
        self._shares: dict[str, float] = {stage: 0.0 for stage in STAGES}
        for phase in PHASES:
            for task in phase.tasks:
                for stage, share in task.parts:
                    self._shares[stage] += share
                    self._done[(task.work, stage)] = 1.0 if task.work in finished else 0.0
        self._current: str | None = None

    def fraction(self, stage: str) -> float:
        total = self._shares[stage] or 1.0
        got = sum(
            share * self._done[(task.work, stage)]
            for phase in PHASES
            for task in phase.tasks
            for part, share in task.parts
            if part == stage
        )
        return min(got / total, 1.0)

    @property
    def current(self) -> str | None:
        return next((s for s in STAGES if self.fraction(s) < 1.0), None)

    def start(self) -> None:
        with self._lock:
            self._move()

    def report(self, task: Task, stage: str, fraction: float) -> None:
        with self._lock:
            key = (task.work, stage)
            self._done[key] = max(self._done[key], min(max(fraction, 0.0), 1.0))
            self._display.progress(stage, self.fraction(stage))
            self._move()

    def finish(self, task: Task) -> None:
        with self._lock:
            for stage, _share in task.parts:
                self._done[(task.work, stage)] = 1.0
                self._display.progress(stage, self.fraction(stage))
            self._move()

    def _move(self) -> None:
        current = self.current
        if current is not None and current != self._current:
            self._current = current
            self._display.enter(current)
            self._display.progress(current, self.fraction(current))

    def hooks(self, task: Task, stop: threading.Event) -> HooksFor:
        def hooks_for(stage: str) -> StageHooks:
            def progress(fraction: float) -> None:
                self.report(task, stage, fraction)

            def check_cancel() -> None:
                if stop.is_set():
                    raise _Stopped("Stopped: another stage failed.")
                self._display.check_cancel(stage)

            return StageHooks(progress=progress, check_cancel=check_cancel)

        return hooks_for


def finished_before(phase: Phase) -> set[str]:
    """The work of every phase before `phase` (done, or the runner would not be here)."""
    done: set[str] = set()
    for earlier in PHASES[: PHASES.index(phase)]:
        done.update(task.work for task in earlier.tasks)
    return done


def run_phase(phase: Phase, work: RemixWork, display: StageDisplay) -> None:
    """Run `phase`'s lanes at once (the first in this thread); the first lane to fail stops
    the others at their next cancel check, and its error is raised."""
    board = StageBoard(display, finished_before(phase))
    board.start()
    stop = threading.Event()

    def run_lane(lane: tuple[Task, ...]) -> None:
        try:
            for task in lane:
                getattr(work, task.work)(board.hooks(task, stop))
                board.finish(task)
        except BaseException:
            stop.set()
            raise

    first, *others = phase.lanes
    if not others:
        run_lane(first)
        return
    with ThreadPoolExecutor(len(others), thread_name_prefix=f"remixer-{phase.name}") as pool:
        futures = [pool.submit(run_lane, lane) for lane in others]
        errors: list[BaseException] = []
        try:
            run_lane(first)
        except BaseException as exc:  # noqa: BLE001 - re-raised below, after the other lanes
            errors.append(exc)
        errors.extend(_errors_of(futures))
    real = [e for e in errors if not isinstance(e, _Stopped)]
    if real or errors:
        raise (real or errors)[0]


def _errors_of(futures: list[Future[None]]) -> list[BaseException]:
    found: list[BaseException] = []
    for future in futures:
        error = future.exception()
        if error is not None:
            found.append(error)
    return found


def run_remix(work: RemixWork, display: StageDisplay) -> None:
    """Every phase in order, in this process (`remixer remix`)."""
    for phase in PHASES:
        run_phase(phase, work, display)
