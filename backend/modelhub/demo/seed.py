"""`modelhub seed-demo`: a living demo catalog written through the service layer (any backend).

324 models (36 use cases in six departments, each in 9 of 12 countries), each with 1 to 3 versions
holding a real skops model trained here, metrics from its held-out split, a dataset per use case,
champion/challenger aliases and stages, then months of metric history for the dashboards.
Idempotent: models and datasets are found by name; a second run adds nothing and says so.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from modelhub.auth.permissions import Role
from modelhub.auth.tokens import Principal
from modelhub.context import AppContext
from modelhub.dashboards.demo_history import write_demo_history
from modelhub.datasets.repository import COLLECTION as DATASETS
from modelhub.datasets.service import DatasetsService
from modelhub.demo import mark_seed
from modelhub.demo.catalog import PlannedModel, UseCase, plan
from modelhub.demo.training import Trained, dataset_file, metrics_for, train
from modelhub.models.schemas import ModelCreate
from modelhub.models.service import ModelsService
from modelhub.transfer.multipart import FilePart, FormField
from modelhub.versions.schemas import Stage, VersionForm
from modelhub.versions.service import VersionsService

SEED_ACTOR = Principal(
    subject="modelhub-seed-demo",
    username="seed-demo",
    roles=frozenset({Role.admin.value}),
    name="modelhub seed-demo",
    is_service=True,
)
PRIMARY_METRIC = {"classification": "roc_auc", "regression": "r2"}
FAMILY_NAMES = {
    "logistic_regression": "logistic regression (standardised features)",
    "ridge": "ridge regression (standardised features)",
    "decision_tree": "decision tree",
    "random_forest": "random forest",
}


@dataclass
class SeedResult:
    models_added: int = 0
    versions_added: int = 0
    datasets_added: int = 0
    models_present: int = 0
    history_points: int = 0
    seconds: float = 0.0
    added: list[dict[str, Any]] = field(default_factory=list)  # what write_demo_history got

    def summary(self) -> str:
        if not self.models_added and not self.versions_added and not self.datasets_added:
            return f"the demo catalog is already there ({self.models_present} models): nothing added"
        return (
            f"added {self.models_added} models, {self.versions_added} versions, {self.datasets_added} datasets "
            f"and {self.history_points} metric points in {self.seconds:.1f} s ({self.models_present} models were "
            f"already there)"
        )


def _roll(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 100


def input_schema(trained: Trained) -> dict[str, Any]:
    names = [name for name, _ in trained.data.features]
    return {
        "title": f"{trained.use_case.title}: one record",
        "type": "object",
        "properties": {name: {"type": "number", "description": text} for name, text in trained.data.features},
        "required": names,
        "additionalProperties": False,
    }


def output_schema(trained: Trained) -> dict[str, Any]:
    use_case = trained.use_case
    if use_case.task == "regression":
        return {"title": use_case.target, "type": "number", "description": use_case.target_description}
    return {
        "title": use_case.target,
        "type": "integer",
        "enum": trained.classes,
        "description": use_case.target_description,
    }


def documentation(planned: PlannedModel, trained: Trained, metrics: dict[str, float]) -> str:
    use_case = trained.use_case
    rows = "\n".join(f"| `{name}` | {text} |" for name, text in trained.data.features[:70])
    scores = "\n".join(f"| {name} | {value:.4f} |" for name, value in metrics.items())
    classes = (
        "\n".join(
            f"- `{number}`: {meaning}" for number, meaning in zip(trained.classes, use_case.classes, strict=False)
        )
        if use_case.classes
        else ""
    )
    return f"""# {use_case.title} ({planned.geography})

{use_case.description}

## Intended use

- **Department:** {use_case.department}; **country:** {planned.geography}; **owner:** `{planned.owner}`.
- **Predicts:** `{use_case.target}`: {use_case.target_description}.
{classes}
- Scored in batch by the department's pipelines and online through `POST /api/models/{planned.name}/predict`.

## Inputs

| feature | meaning |
|---|---|
{rows}

## Training data

{trained.train_rows} training rows and {trained.test_rows} held-out rows, {trained.data.source}
(dataset `{use_case.slug} training data` in the catalog). Versions are trained on the same split;
metrics are measured on the held-out rows of {planned.geography}.

## Evaluation of version 1 (held-out split)

| metric | value |
|---|---|
{scores}

## Limitations

- A demo model: the data is {"real but small" if use_case.source != "generated" else "synthetic"}; do not
  take business decisions on it.
- Retrain when the drift monitor flags more than two features for two weeks in a row.
"""


def _parts(fields: dict[str, str], filename: str, data: bytes) -> list[FormField | FilePart]:
    return [FormField(name, value) for name, value in fields.items()] + [
        FilePart("file", filename, "application/octet-stream", iter([data]))
    ]


class Seeder:
    def __init__(self, context: AppContext, progress: Callable[[str], None] | None = None):
        self.context = context
        self.progress = progress or (lambda message: None)
        settings = context.settings
        self.models = ModelsService(context.models, context.versions, context.objects, context.metadata, context.audit)
        self.versions = VersionsService(
            context.models,
            context.versions,
            context.datasets,
            context.objects,
            context.metadata,
            context.audit,
            settings.max_model_upload_bytes,
        )
        self.datasets = DatasetsService(
            context.datasets, context.objects, context.metadata, context.audit, settings.max_dataset_upload_bytes
        )
        self.templates: dict[str, ModelCreate] = {}

    def dataset_for(self, trained: Trained, index: int, result: SeedResult) -> str:
        name = f"{trained.use_case.slug} training data"
        found = self.context.metadata.find_one(DATASETS, {"name_key": name.lower()})
        if found:
            return found["_id"]
        filename, data = dataset_file(trained, parquet=index % 2 == 0)
        fields = {
            "name": name,
            "description": f"Features and target of the {trained.use_case.title.lower()} use case "
            f"({trained.use_case.department}), {trained.data.source}.",
        }
        saved = self.datasets.upload(SEED_ACTOR, _parts(fields, filename, data))
        result.datasets_added += 1
        return saved["id"]

    def add_versions(self, planned: PlannedModel, model: dict[str, Any], trained: Trained, dataset_id: str) -> int:
        metrics_v1: dict[str, float] = {}
        for number, variant in enumerate(trained.variants[: planned.versions], start=1):
            metrics = metrics_for(trained, variant, f"{planned.name}/{number}")
            metrics_v1 = metrics_v1 or metrics
            fields = {
                "format": "skops",
                "params": json.dumps({"family": variant.family, **variant.params, "train_rows": trained.train_rows}),
                "metrics": json.dumps(metrics),
                "dataset_id": dataset_id,
                "notes": f"{FAMILY_NAMES[variant.family].capitalize()} trained on {trained.train_rows} rows"
                + ("" if number == 1 else f"; retrained to beat version {number - 1}"),
            }
            if number > 1:
                fields["parent_version"] = str(number - 1)
            if "reference_stats" in VersionForm.model_fields:  # so drift monitoring works on demo models too
                fields["reference_stats"] = json.dumps(trained.reference_stats)
            self.versions.upload(
                SEED_ACTOR, model["id"], _parts(fields, f"{planned.name}-v{number}.skops", variant.data)
            )
        self.promote(planned, model["id"])
        return planned.versions

    def promote(self, planned: PlannedModel, model_id: str) -> None:
        """Aliases and stages as a team would have left them: the version in service is `champion` in
        production (an earlier production version archived), the newest is `challenger` in staging."""
        roll = _roll(planned.name + "stages")
        n = planned.versions
        if n == 1:
            self.versions.set_alias(SEED_ACTOR, model_id, "champion", 1)
            stage = Stage.production if roll < 70 else Stage.staging
            self.versions.set_stage(SEED_ACTOR, model_id, "1", stage)
            return
        champion = n if roll < 40 else n - 1  # some teams already promoted the newest version
        for number in range(1, champion + 1):  # each promotion archives the previous production version
            self.versions.set_stage(SEED_ACTOR, model_id, str(number), Stage.production)
        self.versions.set_alias(SEED_ACTOR, model_id, "champion", champion)
        if champion < n:
            self.versions.set_alias(SEED_ACTOR, model_id, "challenger", n)
            self.versions.set_stage(SEED_ACTOR, model_id, str(n), Stage.staging)

    def create_model(self, planned: PlannedModel, trained: Trained) -> dict[str, Any]:
        use_case: UseCase = trained.use_case
        first = metrics_for(trained, trained.variants[0], f"{planned.name}/1")
        fields = {
            "name": planned.name,
            "description": f"{use_case.title} for {planned.geography}. {use_case.description}",
            "geography": planned.geography,
            "owner": planned.owner,
            "tags": [*use_case.tags, f"country:{planned.country_code}", "demo"],
            "documentation": documentation(planned, trained, first),
        }
        template = self.templates.get(use_case.slug)
        if template is None:  # validated in full once per use case (checking a JSON Schema costs ~5 ms)
            data = ModelCreate(
                **fields,
                department=use_case.department,
                framework="sklearn",
                task_type=use_case.task,
                input_schema=input_schema(trained),
                output_schema=output_schema(trained),
            )
            self.templates[use_case.slug] = data
        else:  # the same use case in another country: only plain fields differ
            data = template.model_copy(update=fields)
        return self.models.create(SEED_ACTOR, data)

    def run(self, history_months: int = 4, limit: int | None = None) -> SeedResult:
        started = time.perf_counter()
        mark_seed(self.context, finished=False)  # until the end: a stopped run is resumed by --if-empty
        result = SeedResult()
        todo: list[tuple[PlannedModel, dict[str, Any] | None]] = []
        for planned in plan()[:limit]:  # a limit gives the first models of the plan (tests on slow backends)
            existing = self.context.models.find_ref(planned.name)
            if existing is not None and existing.get("latest_version"):
                result.models_present += 1
            else:  # new, or created by a run that stopped before its versions
                todo.append((planned, existing))
        trained: dict[str, Trained] = {}
        datasets: dict[str, str] = {}
        for index, (planned, existing) in enumerate(todo):
            slug = planned.use_case.slug
            if slug not in trained:
                self.progress(f"training {slug}")
                trained[slug] = train(planned.use_case)
                datasets[slug] = self.dataset_for(trained[slug], len(datasets), result)
            if existing is None:
                model = self.create_model(planned, trained[slug])
                result.models_added += 1
            else:
                model = self.models.get(existing["_id"])
            result.versions_added += self.add_versions(planned, model, trained[slug], datasets[slug])
            result.added.append(
                {
                    "id": model["id"],
                    "name": model["name"],
                    "department": model["department"],
                    "geography": model["geography"],
                    "task_type": model["task_type"],
                    "versions": list(range(1, planned.versions + 1)),
                }
            )
            if (index + 1) % 50 == 0:
                self.progress(f"{index + 1} of {len(todo)} models")
        if result.added and history_months > 0:
            self.progress(f"writing {history_months} months of metric history")
            result.history_points = write_demo_history(self.context.metrics, result.added, months=history_months)
        mark_seed(self.context, finished=True)
        result.seconds = time.perf_counter() - started
        return result


def seed_demo(
    context: AppContext,
    history_months: int = 4,
    progress: Callable[[str], None] | None = None,
    limit: int | None = None,
) -> SeedResult:
    return Seeder(context, progress).run(history_months, limit)
