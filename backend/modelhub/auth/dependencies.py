"""The one dependency every route uses: `Depends(require(Permission.X))`."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.errors import Forbidden, Unauthorized

bearer_scheme = HTTPBearer(auto_error=False, description="An access token from Keycloak or /api/auth/token")


def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("a bearer token is required")
    principal = request.app.state.context.identity.verifier.verify(credentials.credentials)
    request.state.principal = principal
    return principal


class PermissionCheck:
    """A route's permission; an instance per permission so tests can read it off each route."""

    def __init__(self, permission: Permission):
        self.permission = permission

    def __call__(self, request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)):
        if self.permission is Permission.public:
            return None
        principal = current_principal(request, credentials)
        if not principal.can(self.permission):
            raise Forbidden(
                f"your roles ({', '.join(sorted(principal.roles)) or 'none'}) do not allow {self.permission.value}",
                details={"required_permission": self.permission.value},
            )
        return principal


_CHECKS = {permission: PermissionCheck(permission) for permission in Permission}


def require(permission: Permission) -> PermissionCheck:
    return _CHECKS[permission]
