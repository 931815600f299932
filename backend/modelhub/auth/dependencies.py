"""The one dependency every route uses: `Depends(require(Permission.X))`."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.errors import Forbidden, Unauthorized

bearer_scheme = HTTPBearer(auto_error=False, description="An access token from Keycloak or /api/auth/token")


async def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("a bearer token is required")
    verifier = request.app.state.context.identity.verifier
    token = credentials.credentials
    # A token seen in the last minute is a dict lookup, done here on the event loop; a new one costs a
    # signature check and maybe a JWKS fetch from the identity provider: that goes to a thread.
    principal = verifier.cached(token) or await run_in_threadpool(verifier.verify, token)
    request.state.principal = principal
    return principal


class PermissionCheck:
    """A route's permission; an instance per permission so tests can read it off each route."""

    def __init__(self, permission: Permission):
        self.permission = permission

    async def __call__(
        self, request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)
    ):
        if self.permission is Permission.public:
            return None
        principal = await current_principal(request, credentials)
        if not principal.can(self.permission):
            raise Forbidden(
                f"your roles ({', '.join(sorted(principal.roles)) or 'none'}) do not allow {self.permission.value}",
                details={"required_permission": self.permission.value},
            )
        return principal


_CHECKS = {permission: PermissionCheck(permission) for permission in Permission}


def require(permission: Permission) -> PermissionCheck:
    return _CHECKS[permission]
