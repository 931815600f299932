"""Login and identity routes. The token endpoint exists only with the built-in issuer; with
Keycloak the web UI signs in at Keycloak (authorization code + PKCE) and pipelines use its
client-credentials grant."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from pydantic import BaseModel

from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.context import AppContext, get_context
from modelhub.errors import BadRequest, NotFound, Unauthorized

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str | None = None
    refresh_expires_in: int | None = None


class MeOut(BaseModel):
    id: str
    username: str
    name: str | None = None
    email: str | None = None
    roles: list[str]
    groups: list[str]
    permissions: list[str]
    is_service: bool


class AuthConfigOut(BaseModel):
    mode: Literal["builtin", "oidc"]
    issuer: str
    audience: str
    web_client_id: str | None = None
    token_endpoint: str | None = None


def _builtin(context: AppContext):
    if context.identity.issuer is None:
        raise NotFound("this server uses an external identity provider; get tokens from it")
    return context.identity.issuer


@router.post(
    "/token",
    response_model=TokenOut,
    response_model_exclude_none=True,
    summary="Get tokens from the built-in issuer (password, refresh_token or client_credentials grant)",
    dependencies=[Depends(require(Permission.public))],
    responses={401: {"description": "wrong credentials"}, 429: {"description": "too many failed logins"}},
)
def token(
    request: Request,
    grant_type: Literal["password", "refresh_token", "client_credentials"] = Form("password"),
    username: str | None = Form(None, max_length=200),
    password: str | None = Form(None, max_length=500),
    refresh_token: str | None = Form(None, max_length=10_000),
    client_id: str | None = Form(None, max_length=200),
    client_secret: str | None = Form(None, max_length=500),
    context: AppContext = Depends(get_context),
) -> dict[str, Any]:
    issuer = _builtin(context)
    identity = context.identity
    if grant_type == "client_credentials":
        if not client_id or not client_secret or not identity.check_service_secret(client_id, client_secret):
            raise Unauthorized("unknown client or wrong secret")
        return issuer.issue(
            f"service:{client_id}",
            f"service-account-{client_id}",
            ["data_scientist"],
            service=True,
            with_refresh=False,
        )
    if grant_type == "refresh_token":
        if not refresh_token:
            raise BadRequest("refresh_token is required for this grant", details={"field": "refresh_token"})
        user = identity.users.get(issuer.refresh_subject(refresh_token))
        if user.get("disabled"):
            raise Unauthorized("this account is disabled")
        return _issue_for(issuer, user)
    if not username or not password:
        raise BadRequest(
            "username and password are required", details={"field": "username" if not username else "password"}
        )
    address = request.client.host if request.client else "unknown"
    identity.throttle.check(username, address)
    user = identity.users.authenticate(username, password)
    if user is None:
        identity.throttle.failed(username, address)
        raise Unauthorized("wrong username or password, or the account is disabled")
    identity.throttle.succeeded(username, address)
    return _issue_for(issuer, user)


def _issue_for(issuer, user: dict[str, Any]) -> dict[str, Any]:
    name = " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p) or None
    return issuer.issue(
        user["id"], user["username"], user["roles"], user.get("groups"), name=name, email=user.get("email")
    )


@router.get("/me", response_model=MeOut, summary="The signed-in user, roles and permissions")
def me(principal: Principal = Depends(require(Permission.authenticated))) -> MeOut:
    return MeOut(
        id=principal.subject,
        username=principal.username,
        name=principal.name,
        email=principal.email,
        roles=sorted(principal.roles),
        groups=list(principal.groups),
        permissions=sorted(p.value for p in principal.permissions),
        is_service=principal.is_service,
    )


@router.get(
    "/config",
    response_model=AuthConfigOut,
    summary="How clients sign in: the built-in form, or an OpenID provider with its web client",
    dependencies=[Depends(require(Permission.public))],
)
def auth_config(context: AppContext = Depends(get_context)) -> AuthConfigOut:
    settings = context.settings
    if context.identity.issuer is not None:
        return AuthConfigOut(
            mode="builtin",
            issuer=settings.issuer_url,
            audience=settings.auth_audience,
            token_endpoint=f"{settings.issuer_url}/token",
        )
    return AuthConfigOut(
        mode="oidc",
        issuer=settings.issuer_url,
        audience=settings.auth_audience,
        web_client_id=settings.oidc_web_client_id,
    )


@router.get(
    "/.well-known/openid-configuration",
    summary="Discovery document of the built-in issuer",
    dependencies=[Depends(require(Permission.public))],
)
def discovery(context: AppContext = Depends(get_context)) -> dict[str, Any]:
    return _builtin(context).discovery()


@router.get("/jwks", summary="Public keys of the built-in issuer", dependencies=[Depends(require(Permission.public))])
def jwks(context: AppContext = Depends(get_context)) -> dict[str, Any]:
    return _builtin(context).jwks()
