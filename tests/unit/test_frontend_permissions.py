"""The web UI hides what a role may not do by permission name: its list of names (and the role sets
its tests sign in with) must be the backend's, or a page shows a button the API refuses, or hides
one the user may press."""

import re
from pathlib import Path

from modelhub.auth.permissions import ROLE_PERMISSIONS, Permission

FRONTEND = Path(__file__).resolve().parents[2] / "frontend" / "src"


def _quoted(text: str) -> set[str]:
    return set(re.findall(r'"([a-z_]+)"', text))


def test_the_ui_knows_every_permission_the_api_grants():
    source = (FRONTEND / "auth" / "permissions.ts").read_text()
    union = re.search(r"export type Permission =(.*?);", source, re.S).group(1)
    labels = re.search(r"PERMISSION_LABELS: Record<Permission, string> = \{(.*?)\};", source, re.S).group(1)
    granted = {p.value for p in Permission} - {Permission.public.value}
    assert _quoted(union) == granted
    assert set(re.findall(r"^\s*([a-z_]+):", labels, re.M)) == granted


def test_the_ui_tests_sign_in_with_each_role_s_real_permissions():
    source = (FRONTEND / "test" / "utils.tsx").read_text()
    table = re.search(r"const PERMISSIONS: Record<string, string\[\]> = \{(.*?)\n\};", source, re.S).group(1)
    roles = dict(re.findall(r"^  ([a-z_]+): \[(.*?)\],?$", table, re.M | re.S))
    assert set(roles) == {role.value for role in ROLE_PERMISSIONS}
    for role, permissions in ROLE_PERMISSIONS.items():
        assert _quoted(roles[role.value]) == {p.value for p in permissions}, role
