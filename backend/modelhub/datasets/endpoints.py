from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Request

from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.context import AppContext, get_context
from modelhub.datasets.schemas import DatasetForm, DatasetFormat, DatasetOut
from modelhub.datasets.service import DatasetsService
from modelhub.schemas import PageOut, form_properties
from modelhub.transfer.multipart import MultipartReader, check_upload_request, request_body

router = APIRouter(prefix="/datasets", tags=["datasets"])
BROWSE = Depends(require(Permission.browse))
EDIT = Depends(require(Permission.edit_models))

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "CSV, JSON lines or Parquet"},
                        **form_properties(DatasetForm),
                    },
                }
            }
        },
    }
}


async def service(context: AppContext = Depends(get_context)) -> DatasetsService:
    return DatasetsService(
        context.datasets,
        context.objects,
        context.metadata,
        context.audit,
        context.settings.max_dataset_upload_bytes,
    )


@router.get("", response_model=PageOut[DatasetOut], summary="List and search datasets")
def list_datasets(
    q: str | None = Query(None, max_length=200, description="part of the name, description or file name"),
    format: DatasetFormat | None = None,
    created_by: str | None = Query(None, max_length=100),
    sort: str = Query("-created_at", pattern=r"^-?(name|created_at|size)$"),
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None, max_length=2000),
    _: Principal = BROWSE,
    datasets: DatasetsService = Depends(service),
):
    page = datasets.list(q, format.value if format else None, created_by, sort, limit, cursor)
    return PageOut.of(page, lambda doc: DatasetOut(**doc))


@router.post(
    "",
    response_model=DatasetOut,
    status_code=201,
    summary="Upload a dataset (multipart field `file`; optional name, description, format)",
    openapi_extra=UPLOAD_BODY,
    responses={413: {"description": "file over the size limit"}, 415: {"description": "not multipart"}},
)
def upload_dataset(request: Request, actor: Principal = EDIT, datasets: DatasetsService = Depends(service)):
    check_upload_request(request, datasets.max_upload_bytes)
    parts = MultipartReader(request_body(request), request.headers.get("content-type", ""))
    return DatasetOut(**datasets.upload(actor, parts))


@router.get("/{dataset_id}", response_model=DatasetOut, summary="One dataset: columns, row count, sha256")
def get_dataset(dataset_id: str, _: Principal = BROWSE, datasets: DatasetsService = Depends(service)):
    return DatasetOut(**datasets.get(dataset_id))


@router.get(
    "/{dataset_id}/download",
    summary="Download the file (streamed; HTTP Range supported)",
    responses={200: {"content": {"application/octet-stream": {}}}, 206: {"description": "a byte range"}},
)
def download_dataset(
    dataset_id: str,
    range_header: str | None = Header(None, alias="range", max_length=200),
    _: Principal = BROWSE,
    datasets: DatasetsService = Depends(service),
):
    return datasets.download(dataset_id, range_header)


@router.delete("/{dataset_id}", status_code=204, summary="Delete a dataset (409 while a deployment uses it)")
def delete_dataset(dataset_id: str, actor: Principal = EDIT, datasets: DatasetsService = Depends(service)):
    datasets.delete(actor, dataset_id)
