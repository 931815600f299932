"""The role → permission matrix (DESIGN.md section 3), in one place for the API and the UI.

Routes declare the one permission they need with `Depends(require(Permission.X))`; a test walks
every route of the app and fails when one declares none.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    data_scientist = "data_scientist"
    business_user = "business_user"
    viewer = "viewer"


class Permission(StrEnum):
    public = "public"  # no token needed (health, login, discovery)
    authenticated = "authenticated"  # any valid token (who am I)
    browse = "browse"  # models, versions, deployments, executions, results, dashboards
    read_logs = "read_logs"
    edit_models = "edit_models"  # create/edit models, upload versions, move aliases and stages
    delete_models = "delete_models"  # data scientists: own models only (checked by the service)
    delete_any_model = "delete_any_model"
    manage_deployments = "manage_deployments"
    trigger_executions = "trigger_executions"  # and cancel one's own
    predict = "predict"  # online predictions, and reading the prediction log
    cancel_any_execution = "cancel_any_execution"
    manage_users = "manage_users"
    read_audit = "read_audit"


_EVERYONE = {Permission.authenticated, Permission.browse, Permission.read_logs}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.viewer: frozenset(_EVERYONE),
    Role.business_user: frozenset(_EVERYONE | {Permission.trigger_executions, Permission.predict}),
    Role.data_scientist: frozenset(
        _EVERYONE
        | {
            Permission.edit_models,
            Permission.delete_models,
            Permission.manage_deployments,
            Permission.trigger_executions,
            Permission.predict,
        }
    ),
    Role.admin: frozenset(set(Permission) - {Permission.public}),
}


def permissions_for(roles: set[str] | frozenset[str]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        if role in Role.__members__:
            granted |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(granted)
