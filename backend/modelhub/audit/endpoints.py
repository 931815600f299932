from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission
from modelhub.context import AppContext, get_context
from modelhub.schemas import PageOut
from modelhub.timeutil import iso

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEntry(BaseModel):
    id: str
    at: str
    actor: str
    actor_id: str | None = None
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    request_id: str | None = None


@router.get(
    "",
    response_model=PageOut[AuditEntry],
    summary="Search the audit log (admin)",
    dependencies=[Depends(require(Permission.read_audit))],
)
def search_audit(
    actor: str | None = Query(None, max_length=200),
    entity_type: str | None = Query(None, max_length=100),
    entity_id: str | None = Query(None, max_length=200),
    action: str | None = Query(None, max_length=100),
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = Query(None, max_length=2000),
    context: AppContext = Depends(get_context),
):
    page = context.audit.search(
        actor,
        entity_type,
        entity_id,
        action,
        iso(since) if since else None,
        iso(until) if until else None,
        limit,
        cursor,
    )
    return PageOut.of(page, lambda doc: AuditEntry(id=doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}))
