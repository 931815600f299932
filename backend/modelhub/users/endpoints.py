from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission, Role
from modelhub.auth.tokens import Principal
from modelhub.context import AppContext, get_context
from modelhub.schemas import PageOut
from modelhub.users.schemas import UserCreate, UserOut, UserUpdate
from modelhub.users.service import UsersService

router = APIRouter(prefix="/users", tags=["users"])
ADMIN = Depends(require(Permission.manage_users))


async def service(context: AppContext = Depends(get_context)) -> UsersService:
    return UsersService(context.identity.users, context.audit)


@router.get("", response_model=PageOut[UserOut], summary="List and search users (admin)")
def list_users(
    q: str | None = Query(None, max_length=100, description="part of the username or e-mail"),
    role: Role | None = None,
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None, max_length=2000),
    _: Principal = ADMIN,
    context: AppContext = Depends(get_context),
):
    page = context.identity.users.list(q, role.value if role else None, limit, cursor)
    return PageOut.of(page, lambda user: UserOut(**user))


@router.get("/{user_id}", response_model=UserOut, summary="One user (admin)")
def get_user(user_id: str, _: Principal = ADMIN, context: AppContext = Depends(get_context)):
    return UserOut(**context.identity.users.get(user_id))


@router.post("", response_model=UserOut, status_code=201, summary="Create a user (admin)")
def create_user(data: UserCreate, actor: Principal = ADMIN, users: UsersService = Depends(service)):
    return UserOut(**users.create(actor, data))


@router.patch("/{user_id}", response_model=UserOut, summary="Change roles, disable, edit a user (admin)")
def update_user(user_id: str, data: UserUpdate, actor: Principal = ADMIN, users: UsersService = Depends(service)):
    return UserOut(**users.update(actor, user_id, data))
