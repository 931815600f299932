from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import TypeAdapter

from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.context import AppContext
from modelhub.models.history import event_of
from modelhub.models.schemas import (
    FacetsOut,
    Framework,
    ModelCreate,
    ModelEvent,
    ModelEventAction,
    ModelOut,
    ModelSummary,
    ModelUpdate,
    TaskType,
)
from modelhub.models.service import ModelFilters, ModelsService
from modelhub.schemas import PageOut

router = APIRouter(prefix="/models", tags=["models"])
PAGE_OF_SUMMARIES = TypeAdapter(PageOut[ModelSummary])
BROWSE = Depends(require(Permission.browse))
EDIT = Depends(require(Permission.edit_models))
DELETE = Depends(require(Permission.delete_models))


# The two dependencies below do no I/O: `async def` keeps them on the event loop instead of costing a
# worker-thread round trip each per request (FastAPI runs sync dependencies in its thread pool).
async def service(request: Request) -> ModelsService:
    context: AppContext = request.app.state.context
    return ModelsService(context.models, context.versions, context.objects, context.metadata, context.audit)


async def filters(
    q: str | None = Query(None, max_length=200, description="part of the name or description, any case"),
    department: list[str] = Query([], max_length=20),
    geography: list[str] = Query([], max_length=20),
    framework: list[Framework] = Query([], max_length=20),
    task_type: list[TaskType] = Query([], max_length=20),
    owner: list[str] = Query([], max_length=20),
    tag: list[str] = Query([], max_length=20, description="repeat for models with all these tags"),
) -> ModelFilters:
    return ModelFilters(
        q=q or None,
        department=department,
        geography=geography,
        framework=[f.value for f in framework],
        task_type=[t.value for t in task_type],
        owner=owner,
        tags=tag,
    )


@router.get("", response_model=PageOut[ModelSummary], summary="List and search models")
def list_models(
    sort: str = Query("name", pattern=r"^-?(name|created_at|updated_at)$", description="'-' for descending"),
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None, max_length=2000),
    model_filters: ModelFilters = Depends(filters),
    _: Principal = BROWSE,
    models: ModelsService = Depends(service),
):
    page = models.list(model_filters, sort, limit, cursor)
    # Validated and serialised here, in the worker thread, straight to JSON bytes: returning the model
    # would make FastAPI validate it once more in another thread-pool round trip before dumping it.
    body = PAGE_OF_SUMMARIES.validate_python(
        {"items": page.items, "total": page.total, "next_cursor": page.next_cursor}
    )
    return Response(PAGE_OF_SUMMARIES.dump_json(body), media_type="application/json")


@router.get("/facets", response_model=FacetsOut, summary="Counts per filter value, under the other filters")
def model_facets(
    model_filters: ModelFilters = Depends(filters), _: Principal = BROWSE, models: ModelsService = Depends(service)
):
    return FacetsOut(**models.facets(model_filters))


@router.post("", response_model=ModelOut, status_code=201, summary="Register a model")
def create_model(data: ModelCreate, actor: Principal = EDIT, models: ModelsService = Depends(service)):
    return ModelOut(**models.create(actor, data))


@router.get("/{model_id}", response_model=ModelOut, summary="One model, by id or name")
def get_model(model_id: str, response: Response, _: Principal = BROWSE, models: ModelsService = Depends(service)):
    model = models.get(model_id)
    response.headers["ETag"] = f'"{model["version"]}"'
    return ModelOut(**model)


@router.get(
    "/{model_id}/history",
    response_model=PageOut[ModelEvent],
    summary="The model's history: registration, edits, versions, alias and stage moves, drift checks; newest first",
)
def model_history(
    model_id: str,
    action: list[ModelEventAction] = Query([], max_length=8, description="repeat to keep only these actions"),
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None, max_length=2000),
    _: Principal = BROWSE,
    models: ModelsService = Depends(service),
):
    page = models.history(model_id, [a.value for a in action], limit, cursor)
    return PageOut.of(page, event_of)


@router.patch(
    "/{model_id}",
    response_model=ModelOut,
    summary="Edit a model; send If-Match (its ETag) or `version`: a stale edit gets 409",
    responses={409: {"description": "stale_version: someone else changed it first"}},
)
def update_model(
    model_id: str,
    data: ModelUpdate,
    response: Response,
    if_match: str | None = Header(None, max_length=100),
    actor: Principal = EDIT,
    models: ModelsService = Depends(service),
):
    model = models.update(actor, model_id, data, if_match)
    response.headers["ETag"] = f'"{model["version"]}"'
    return ModelOut(**model)


@router.delete(
    "/{model_id}", status_code=204, summary="Delete a model with its versions and files (admin, or its owner)"
)
def delete_model(
    model_id: str,
    if_match: str | None = Header(None, max_length=100),
    actor: Principal = DELETE,
    models: ModelsService = Depends(service),
):
    models.delete(actor, model_id, if_match)
