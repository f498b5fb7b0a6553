"""The job's runner for the shared orchestration (`pipeline.orchestration`): `JobRemix`
does each task with the `remix_stages` functions and keeps its output in `job.state`
under the task's `output` name; `JobDisplay` writes the current stage and its progress
to the job row. No DBOS here: `workflows.remix` runs each phase in one step.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from remixer.observability.logs import job_context
from remixer.observability.metrics import stage_timer
from remixer.pipeline.orchestration import (
    ADAPT,
    EXTRACT,
    FETCH,
    FINALIZE,
    MEASURE,
    RENDER,
    STAGES,
    TRACK,
    HooksFor,
    Task,
    phase_named,
    run_phase,
)
from remixer.services.jobs import (
    begin_stage,
    check_cancel,
    job_snapshot,
    report_progress,
    save_stage_output,
)
from remixer.workflows import remix_stages
from remixer.workflows.runtime import Runtime, executor_id_for

log = logging.getLogger(__name__)


def _rank(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else -1  # `queued` comes first


class JobDisplay:
    """The job row shows one stage: the orchestration's current one, never going back.
    Entering the stage the row already shows (the next phase of the same stage) keeps its
    progress; a phase re-run after a crash shows nothing until it passes the row's stage."""

    def __init__(self, runtime: Runtime, job_id: str, shown: str) -> None:
        self._runtime = runtime
        self._job_id = job_id
        self._shown = shown

    def enter(self, stage: str) -> None:
        if _rank(stage) > _rank(self._shown):
            begin_stage(self._runtime.uow_factory, self._job_id, stage)
            self._shown = stage

    def progress(self, stage: str, fraction: float) -> None:
        if stage == self._shown:
            report_progress(self._runtime.uow_factory, self._job_id, fraction)

    def check_cancel(self, stage: str) -> None:
        check_cancel(self._runtime.uow_factory, self._job_id)


class JobRemix:
    """The orchestration's work for one job: inputs from `job.state` and the blob store,
    each output saved to `job.state[task.output]` (so a later phase, in this process or
    after a crash in another, reads it back)."""

    def __init__(self, runtime: Runtime, job_id: str) -> None:
        self._runtime = runtime
        self._job_id = job_id
        self._lock = threading.Lock()

    def _run(self, task: Task, hooks: Any) -> None:
        runtime = self._runtime
        executor = executor_id_for(runtime.settings)
        with job_context(self._job_id, task.output, executor), stage_timer(task.output):
            started = time.perf_counter()
            job = job_snapshot(runtime.uow_factory, self._job_id)
            output = getattr(remix_stages, task.work)(runtime, job, hooks)
            with self._lock:  # two lanes save into the same state
                save_stage_output(runtime.uow_factory, self._job_id, task.output, output)
            log.info("%s done in %.0f ms", task.work, (time.perf_counter() - started) * 1000)

    def fetch_source(self, hooks: HooksFor) -> None:
        self._run(FETCH, hooks("fetching_source"))

    def extract_overlays(self, hooks: HooksFor) -> None:
        self._run(EXTRACT, hooks("extracting_overlays"))

    def adapt_copy(self, hooks: HooksFor) -> None:
        self._run(ADAPT, hooks("adapting_copy"))

    def analyze_face(self, hooks: HooksFor) -> None:
        self._run(TRACK, hooks("face_swapping"))

    def render_video(self, hooks: HooksFor) -> None:
        self._run(RENDER, hooks)  # the dense pass reports to face_swapping and rendering

    def measure_output(self, hooks: HooksFor) -> None:
        self._run(MEASURE, hooks("rendering"))

    def finalize(self, hooks: HooksFor) -> None:
        self._run(FINALIZE, hooks("finalizing"))


def run_job_phase(runtime: Runtime, job_id: str, phase: str) -> None:
    """Run one phase of the orchestration for `job_id` (the body of its DBOS step)."""
    shown = job_snapshot(runtime.uow_factory, job_id).stage
    run_phase(phase_named(phase), JobRemix(runtime, job_id), JobDisplay(runtime, job_id, shown))
