from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Path, Query, Request

from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.context import AppContext, get_context
from modelhub.schemas import PageOut, form_properties
from modelhub.transfer.multipart import MultipartReader, check_upload_request, request_body
from modelhub.versions.schemas import ALIAS_PATTERN, AliasIn, LineageOut, Stage, StageIn, VersionForm, VersionOut
from modelhub.versions.service import VersionsService

router = APIRouter(prefix="/models/{model_id}", tags=["versions"])
BROWSE = Depends(require(Permission.browse))
EDIT = Depends(require(Permission.edit_models))
DELETE = Depends(require(Permission.delete_models))
VERSION = Path(max_length=100, description="a version number, an alias, or `latest`")

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "the model file"},
                        **{
                            name: {**spec, "type": "string"}
                            if name in ("params", "metrics", "reference_stats", "preprocessing")
                            else spec
                            for name, spec in form_properties(VersionForm).items()
                        },
                    },
                },
                "encoding": {"file": {"contentType": "application/octet-stream"}},
            }
        },
    }
}


async def service(context: AppContext = Depends(get_context)) -> VersionsService:
    return VersionsService(
        context.models,
        context.versions,
        context.datasets,
        context.objects,
        context.metadata,
        context.audit,
        context.settings.max_model_upload_bytes,
    )


@router.get("/versions", response_model=PageOut[VersionOut], summary="The versions of a model")
def list_versions(
    model_id: str,
    stage: Stage | None = None,
    sort: str = Query("-version", pattern=r"^-?version$"),
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None, max_length=2000),
    _: Principal = BROWSE,
    versions: VersionsService = Depends(service),
):
    page = versions.list(model_id, stage.value if stage else None, sort, limit, cursor)
    return PageOut.of(page, lambda doc: VersionOut(**doc))


@router.post(
    "/versions",
    response_model=VersionOut,
    status_code=201,
    summary="Upload a new version (multipart field `file`, streamed; other fields as form fields)",
    description=(
        "An MLflow model zip (format `mlflow`, detected from an `MLmodel` file at the zip's root or one "
        "folder down) is read without running anything: its flavor becomes the version's framework, its "
        "signature the version's input/output JSON Schema, and the model takes both when it has none yet."
    ),
    openapi_extra=UPLOAD_BODY,
    responses={
        400: {"description": "cut or malformed multipart body"},
        413: {"description": "file over MODELHUB_MAX_MODEL_UPLOAD_BYTES"},
        415: {"description": "not multipart/form-data"},
        422: {"description": "bad field, empty file, a format the content contradicts, or a bad MLmodel"},
    },
)
def upload_version(
    model_id: str, request: Request, actor: Principal = EDIT, versions: VersionsService = Depends(service)
):
    check_upload_request(request, versions.max_upload_bytes)
    # reference_stats (drift statistics of every feature) can outgrow the default 64 KiB per field
    parts = MultipartReader(request_body(request), request.headers.get("content-type", ""), max_field_bytes=2**20)
    return VersionOut(**versions.upload(actor, model_id, parts))


@router.get("/versions/{version}", response_model=VersionOut, summary="One version (number, alias or latest)")
def get_version(
    model_id: str, version: str = VERSION, _: Principal = BROWSE, versions: VersionsService = Depends(service)
):
    return VersionOut(**versions.get(model_id, version))


@router.get(
    "/versions/{version}/artifact",
    summary="Download the file (streamed; X-Checksum-SHA256, Digest, ETag; HTTP Range)",
    responses={200: {"content": {"application/octet-stream": {}}}, 206: {"description": "a byte range"}},
)
def download_artifact(
    model_id: str,
    version: str = VERSION,
    range_header: str | None = Header(None, alias="range", max_length=200),
    _: Principal = BROWSE,
    versions: VersionsService = Depends(service),
):
    return versions.artifact(model_id, version, range_header)


@router.get(
    "/versions/{version}/mlflow",
    summary="Export as a zipped MLflow model directory that mlflow.pyfunc.load_model loads",
    responses={
        200: {"content": {"application/zip": {}}},
        422: {"description": "a format MLflow's sklearn flavor cannot read as is (not skops, pickle or mlflow)"},
    },
)
def export_mlflow(
    model_id: str, version: str = VERSION, _: Principal = BROWSE, versions: VersionsService = Depends(service)
):
    return versions.export_mlflow(model_id, version)


@router.get("/versions/{version}/lineage", response_model=LineageOut, summary="Dataset, execution and parent")
def version_lineage(
    model_id: str, version: str = VERSION, _: Principal = BROWSE, versions: VersionsService = Depends(service)
):
    return LineageOut(**versions.lineage(model_id, version))


@router.put(
    "/versions/{version}/stage",
    response_model=VersionOut,
    summary="Move a version to a stage; production archives the previous production version",
)
def set_stage(
    model_id: str,
    data: StageIn,
    version: str = VERSION,
    actor: Principal = EDIT,
    versions: VersionsService = Depends(service),
):
    return VersionOut(**versions.set_stage(actor, model_id, version, data.stage))


@router.delete(
    "/versions/{version}", status_code=204, summary="Delete a version (admin or owner; not while aliased or deployed)"
)
def delete_version(
    model_id: str, version: str = VERSION, actor: Principal = DELETE, versions: VersionsService = Depends(service)
):
    versions.delete(actor, model_id, version)


@router.put("/aliases/{alias}", response_model=VersionOut, summary="Point an alias at a version")
def set_alias(
    model_id: str,
    data: AliasIn,
    alias: str = Path(pattern=ALIAS_PATTERN),
    actor: Principal = EDIT,
    versions: VersionsService = Depends(service),
):
    return VersionOut(**versions.set_alias(actor, model_id, alias, data.version))


@router.delete("/aliases/{alias}", status_code=204, summary="Remove an alias")
def delete_alias(
    model_id: str,
    alias: str = Path(pattern=ALIAS_PATTERN),
    actor: Principal = EDIT,
    versions: VersionsService = Depends(service),
):
    versions.delete_alias(actor, model_id, alias)
