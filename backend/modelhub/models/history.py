"""A model's registry history, read from the audit log: registration, edits, versions, alias and
stage moves, drift checks. Every such entry carries the model's id as entity_id (see
versions/service.py), so one indexed query pages through it, newest first; unlike the audit log
itself (admins only), anyone who may browse the model may read this."""

from __future__ import annotations

from typing import Any

from modelhub.models.schemas import ModelEvent, ModelEventAction


def _version_of(record: dict[str, Any] | None) -> int | None:
    value = (record or {}).get("version")
    return value if isinstance(value, int) else None


def _summary(action: str, event: dict[str, Any]) -> str:
    version, alias = event.get("version"), event.get("alias")
    match action:
        case ModelEventAction.create:
            return "registered the model"
        case ModelEventAction.update:
            return f"edited {', '.join(event['fields']) or 'the model'}"
        case ModelEventAction.version_create:
            return f"uploaded v{version}"
        case ModelEventAction.version_delete:
            return f"deleted v{version}"
        case ModelEventAction.alias_set if event.get("previous_version") is None:
            return f"set {alias} on v{version}"
        case ModelEventAction.alias_set:
            return f"moved {alias} from v{event['previous_version']} to v{version}"
        case ModelEventAction.alias_delete:
            was = event.get("previous_version")
            return f"removed {alias}" + (f" (was v{was})" if was else "")
        case ModelEventAction.stage:
            archived = event.get("archived_versions") or []
            also = f"; archived {', '.join(f'v{n}' for n in archived)}" if archived else ""
            return f"moved v{version} from {event.get('previous_stage')} to {event.get('stage')}{also}"
        case ModelEventAction.drift:
            drifted = event.get("drifted_features") or []
            return f"drift check on v{version}: {event.get('drift_status')}" + (
                f" ({', '.join(drifted[:5])}{'…' if len(drifted) > 5 else ''})" if drifted else ""
            )
    return action


def event_of(entry: dict[str, Any]) -> ModelEvent:
    """One audit entry → the event a person reads on the model's page."""
    action, before, after = entry["action"], entry.get("before") or {}, entry.get("after") or {}
    event: dict[str, Any] = {"id": entry["_id"], "at": entry["at"], "actor": entry["actor"], "action": action}
    if action == ModelEventAction.update:
        event["fields"] = sorted(after)
    elif action in (ModelEventAction.version_create, ModelEventAction.version_delete):
        event["version"] = _version_of(after or before)
    elif action in (ModelEventAction.alias_set, ModelEventAction.alias_delete):
        event.update(
            alias=(after or before).get("alias"), version=_version_of(after), previous_version=_version_of(before)
        )
    elif action == ModelEventAction.stage:
        event.update(
            version=_version_of(after),
            stage=after.get("stage"),
            previous_stage=before.get("stage"),
            archived_versions=after.get("archived_versions") or [],
        )
    elif action == ModelEventAction.drift:
        event.update(
            version=_version_of(after),
            drift_status=after.get("status"),
            drifted_features=after.get("drifted_features") or [],
        )
    event["summary"] = _summary(action, event)
    return ModelEvent(**event)
