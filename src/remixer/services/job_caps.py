"""Concurrent-job caps (SPEC §6.1 429 `concurrent_jobs`), for every kind of job.

An organization may have at most its tier's number of jobs running (remixes and
influencer builds together). Jobs started with `lp_test_` keys cost nothing, so they
also have their own small cap, `SANDBOX_JOB_CAP` running sandbox jobs per
organization: free test traffic cannot fill the workers. Fair sharing of the workers
between organizations is the queues' job (`workflows.names`, partitioned by org).
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session

from remixer.domain.errors import ErrorCode, RemixerError
from remixer.domain.principal import Principal
from remixer.store.batching import before_commit
from remixer.store.tables.accounts import Organization
from remixer.store.tables.content import Container, Job

CONCURRENT_JOB_CAP = {"standard": 10, "pilot": 50, "partner": 200}
SANDBOX_JOB_CAP = 2
CAP_RETRY_AFTER_S = 30

_RUNNING = (
    select(func.count())
    .select_from(Job)
    .where(Job.organization_id == bindparam("org_id"), Job.status == "running")
)
_RUNNING_SANDBOX = (
    select(func.count())
    .select_from(Job)
    .join(Container, Container.id == Job.container_id)
    .where(
        Job.organization_id == bindparam("org_id"),
        Job.status == "running",
        Container.sandbox.is_(True),
    )
)


def cap_error(cap: int, kind: str = "concurrent_jobs") -> RemixerError:
    return RemixerError(
        ErrorCode.RATE_LIMITED,
        f"At most {cap} jobs may run at once for this organization"
        + (" with test keys." if kind == "sandbox_jobs" else "."),
        {"limit": cap, "kind": kind},
        headers={"Retry-After": str(CAP_RETRY_AFTER_S)},
    )


class _SandboxAdded:
    """Sandbox jobs accepted earlier in the same group-commit transaction, per org."""

    def __init__(self) -> None:
        self.by_org: dict[str, int] = {}

    def flush(self, conn: Connection) -> None:
        """Nothing to write: the counts only matter until the batch commits."""


def check_sandbox_cap(conn: Connection, principal: Principal) -> None:
    """Inside an accept batch: 429 when a test key's org already runs its sandbox cap."""
    if not principal.sandbox:
        return
    org_id = principal.organization_id
    added = before_commit(conn, _SandboxAdded)
    running = int(conn.execute(_RUNNING_SANDBOX, {"org_id": org_id}).scalar_one())
    if running + added.by_org.get(org_id, 0) >= SANDBOX_JOB_CAP:
        raise cap_error(SANDBOX_JOB_CAP, "sandbox_jobs")
    added.by_org[org_id] = added.by_org.get(org_id, 0) + 1


def check_job_cap(session: Session, principal: Principal) -> None:
    """Outside the accept batch (influencer builds): 429 at the tier's running-job cap.

    On PostgreSQL the organization row is locked first, so two processes cannot both
    pass the check at the cap (the accept path locks the same row)."""
    cap = CONCURRENT_JOB_CAP.get(principal.rate_limit_tier)
    if cap is None:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(Organization.id)
            .where(Organization.id == principal.organization_id)
            .with_for_update()
        )
    running = int(session.execute(_RUNNING, {"org_id": principal.organization_id}).scalar_one())
    if running >= cap:
        raise cap_error(cap)
