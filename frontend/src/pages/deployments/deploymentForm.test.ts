import { describe, expect, it } from "vitest";
import type { Deployment, Kind } from "../../api/registry";
import { fromDeployment, mapServerProblems, toCreate, toUpdate, validateDeployment, type DeploymentForm } from "./deploymentForm";

const KIND: Kind = {
  kind: "batch_scoring",
  available: true,
  needs_dataset: true,
  params_schema: { type: "object", additionalProperties: false, properties: { batch_size: { type: "integer", minimum: 1 } } },
};
const FORM: DeploymentForm = {
  name: "churn-weekly",
  description: "",
  model_id: "m1",
  target: "alias",
  alias: "champion",
  version: "",
  kind: "batch_scoring",
  dataset_id: "d1",
  params: {},
  schedule: "0 6 * * 1",
  timezone: "Europe/Paris",
};

describe("deployment form", () => {
  it("checks what the server would refuse", () => {
    expect(validateDeployment(FORM, KIND)).toEqual({});
    const errors = validateDeployment({ ...FORM, name: "", dataset_id: null, schedule: "0 6 *", params: { batch_size: 0 } }, KIND);
    expect(Object.keys(errors).sort()).toEqual(["dataset_id", "name", "params", "schedule"]);
    expect(validateDeployment(FORM, { ...KIND, available: false }).kind).toMatch(/not available/);
  });

  it("maps the server's problems: params.<name> onto the parameter, the rest onto its field", () => {
    const { fields, params } = mapServerProblems([
      { field: "params.batch_size", message: "0 is less than the minimum of 1" },
      { field: "schedule", message: "invalid cron expression" },
      { field: "kind", message: "kind training is not available yet" },
    ]);
    expect(params).toEqual({ batch_size: "0 is less than the minimum of 1" });
    expect(fields).toMatchObject({ schedule: "invalid cron expression", kind: "kind training is not available yet" });
  });

  it("sends an alias or a version, and only the changes with the revision on edit", () => {
    expect(toCreate(FORM)).toMatchObject({ alias: "champion", schedule: "0 6 * * 1", timezone: "Europe/Paris" });
    expect(toCreate({ ...FORM, target: "version", version: 3 })).toMatchObject({ version: 3 });
    const original = { ...FORM, id: "x", model_name: "Churn", alias: "champion", version: null, params: {}, cron: "0 6 * * 1", paused: true, status: "paused", dag_id: "mh_x", sync: { state: "synced" }, created_at: "", created_by: "", updated_at: "", revision: 4, description: null, schedule: "0 6 * * 1" } as unknown as Deployment;
    const form = fromDeployment(original);
    expect(toUpdate(form, original)).toEqual({ revision: 4 });
    expect(toUpdate({ ...form, schedule: "", target: "version", version: 2 }, original)).toEqual({ revision: 4, schedule: null, version: 2, alias: null });
  });
});
