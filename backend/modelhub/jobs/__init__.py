"""Pipeline jobs: the code an Airflow task runs, in ModelHub's environment, as a separate process:

    $MODELHUB_JOB_PYTHON -m modelhub.jobs batch_scoring --execution-id ID --api-url URL ...

A job claims its execution through the backend API with the service credential (client
credentials grant), which returns its inputs (parameters, model version file, dataset), reads and
writes data directly in the object store (built from the same MODELHUB_* settings as the API),
and reports its results back through the API. Model files are loaded here, never in the API
process. `JOBS` names the module of each kind's job; a kind is offered by the API only when it is
here. The modules are imported lazily, so the API process never imports scikit-learn or pandas.
"""

from __future__ import annotations

JOBS: dict[str, str] = {
    "batch_scoring": "modelhub.jobs.batch_scoring",
    "training": "modelhub.jobs.training",
    "evaluation": "modelhub.jobs.evaluation",
    "monitoring": "modelhub.jobs.monitoring",
}
