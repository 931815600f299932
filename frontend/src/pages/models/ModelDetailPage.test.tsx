import { fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderAs } from "../../test/utils";
import { ModelDetailPage } from "./ModelDetailPage";

afterEach(() => vi.unstubAllGlobals());

const MODEL = {
  id: "m".repeat(32),
  name: "Churn",
  description: "churn model",
  department: "marketing",
  geography: "emea",
  owner: "ds",
  framework: "sklearn",
  task_type: "classification",
  tags: ["weekly"],
  latest_version: 2,
  aliases: { champion: 2 },
  created_at: "2025-01-01T00:00:00Z",
  created_by: "ds",
  updated_at: "2025-01-01T00:00:00Z",
  version: 3,
  documentation: "# How to use\n\nCall **predict**.",
};
const VERSION = (n: number) => ({
  model_id: MODEL.id, model_name: "Churn", version: n, format: "skops", executes_code_on_load: false, size: 100, sha256: "ab".repeat(32),
  filename: "m.skops", params: {}, metrics: { auc: 0.8 }, stage: "none", aliases: n === 2 ? ["champion"] : [], lineage: {},
  created_at: "2025-01-01T00:00:00Z", created_by: "ds", artifact_path: "",
});
const LINEAGE = { model_id: MODEL.id, model_name: "Churn", version: 2, sha256: "ab".repeat(32), dataset: { id: "d1", name: "customers", sha256: "cd".repeat(32), available: true }, source_execution_id: "e".repeat(32), parent_version: 1, derived_versions: [] };

function server(overrides: (call: { method: string; url: URL; body: string }) => { status?: number; body?: unknown } | undefined = () => undefined) {
  return mockFetch((call) => {
    const answer = overrides(call);
    if (answer) return answer;
    const path = call.url.pathname;
    if (path === `/api/models/${MODEL.id}` && call.method === "GET") return { body: MODEL };
    if (path.endsWith("/versions")) return { body: { items: [VERSION(2), VERSION(1)], total: 2, next_cursor: null } };
    if (path.endsWith("/lineage")) return { body: LINEAGE };
    if (path === "/api/deployments") return { body: { items: [], total: 0, next_cursor: null } };
    if (path.endsWith("/history")) return { body: { items: [], total: 0, next_cursor: null } };
  });
}

const route = { route: `/models/${MODEL.id}`, path: "/models/:modelId" };

describe("model detail", () => {
  it.each([
    ["viewer", false, false, false],
    ["business_user", false, false, true],
    ["data_scientist", true, true, true],
  ])("%s: edit/upload shown %s, deploy shown %s, predict shown %s", async (role, edit, deploy, predict) => {
    server();
    renderAs(role, <ModelDetailPage />, route);
    await screen.findByRole("heading", { name: "Churn" });
    expect(screen.queryAllByRole("button", { name: "Edit" }).length > 0).toBe(edit);
    expect(screen.queryAllByRole("button", { name: "Upload version" }).length > 0).toBe(edit);
    expect(screen.queryAllByRole("button", { name: "Deploy" }).length > 0).toBe(deploy);
    expect(screen.queryAllByRole("button", { name: "Move" }).length > 0).toBe(edit);
    expect(screen.queryByTestId("predict-panel") !== null).toBe(predict);
    expect(screen.queryByTestId("prediction-log") !== null).toBe(predict);
  });

  it("shows lineage with links and the documentation as Markdown", async () => {
    server();
    renderAs("viewer", <ModelDetailPage />, route);
    const lineage = await screen.findByTestId("lineage");
    expect(within(lineage).getByText("customers")).toBeInTheDocument();
    expect(within(lineage).getByRole("link", { name: "v1" })).toBeInTheDocument();
    expect(within(lineage).getByRole("link", { name: /eeeeeeee/ })).toHaveAttribute("href", `/executions/${"e".repeat(32)}`);
    expect(screen.getByRole("heading", { name: "How to use" })).toBeInTheDocument();
  });

  it("moves the champion alias after a confirmation that says what moves", async () => {
    const calls = server(({ method, url }) =>
      method === "PUT" && url.pathname.endsWith("/aliases/champion") ? { body: VERSION(1) } : undefined,
    );
    renderAs("data_scientist", <ModelDetailPage />, route);
    await userEvent.click(await screen.findByRole("button", { name: "Move" }));
    const dialog = screen.getByRole("dialog");
    await userEvent.click(within(dialog).getByLabelText("Version"));
    await userEvent.click(screen.getByRole("option", { name: "v1" }));
    expect(within(dialog).getByText(/moves from v2 to/)).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Move champion to v1" }));
    const put = calls.find((c) => c.method === "PUT")!;
    expect(JSON.parse(put.body)).toEqual({ version: 1 });
    expect(await screen.findByText("champion now points to v1")).toBeInTheDocument();
  });

  it("a stale edit (409) tells the user to reload and shows what the other person changed", async () => {
    let current = MODEL;
    const calls = server(({ method, url }) => {
      if (method === "PATCH")
        return { status: 409, body: { error: { code: "stale_version", message: "the model was changed by someone else", details: { field: "version" } } } };
      if (method === "GET" && url.pathname === `/api/models/${MODEL.id}`) return { body: current };
    });
    renderAs("data_scientist", <ModelDetailPage />, route);
    await userEvent.click(await screen.findByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog");
    fireEvent.change(within(dialog).getByLabelText("Description"), { target: { value: "mine" } });
    current = { ...MODEL, geography: "apac", version: 4 };
    await userEvent.click(within(dialog).getByRole("button", { name: "Save changes" }));
    const stale = await within(dialog).findByTestId("stale-edit");
    expect(within(stale).getByText("geography")).toBeInTheDocument();
    expect(within(stale).getByText("apac")).toBeInTheDocument();
    expect(JSON.parse(calls.find((c) => c.method === "PATCH")!.body)).toEqual({ version: 3, description: "mine" });
    await userEvent.click(within(stale).getByRole("button", { name: "Reload" }));
    expect(within(dialog).getByLabelText("Description")).toHaveValue("mine");
    expect(within(dialog).getByLabelText("Geography")).toHaveValue("apac");
  });

  it("lists the model's deployments with their target, schedule and state", async () => {
    const deployment = (id: string, name: string, extra: object) => ({
      id, name, kind: "batch_scoring", model_id: MODEL.id, model_name: "Churn", alias: "champion", version: null,
      schedule: null, timezone: "UTC", status: "active", updated_at: "2025-01-01T00:00:00Z", ...extra,
    });
    const calls = server(({ url }) =>
      url.pathname === "/api/deployments"
        ? {
            body: {
              items: [
                deployment("d".repeat(32), "nightly scoring", { schedule: "0 6 * * *" }),
                deployment("e".repeat(32), "retrain", { kind: "training", alias: null, version: 1, status: "paused" }),
              ],
              total: 2,
              next_cursor: null,
            },
          }
        : undefined,
    );
    renderAs("viewer", <ModelDetailPage />, route);
    const rows = await screen.findAllByTestId("model-deployment");
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByRole("link", { name: "nightly scoring" })).toHaveAttribute("href", `/deployments/${"d".repeat(32)}`);
    expect(within(rows[0]).getByText(/alias champion/)).toBeInTheDocument();
    expect(within(rows[0]).getByText(/06:00/)).toBeInTheDocument();
    expect(within(rows[1]).getByText(/Training · v1/)).toBeInTheDocument();
    expect(within(rows[1]).getByText("on demand")).toBeInTheDocument();
    expect(within(rows[1]).getByText("Paused")).toBeInTheDocument();
    expect(calls.find((c) => c.url.pathname === "/api/deployments")!.url.searchParams.get("model")).toBe(MODEL.id);
  });

  it("shows an empty deployments state with a Deploy action for a data scientist", async () => {
    server();
    renderAs("data_scientist", <ModelDetailPage />, route);
    expect(await screen.findByText("Not deployed yet")).toBeInTheDocument();
    const empty = screen.getByText("Not deployed yet").closest("[data-testid=empty-state]") as HTMLElement;
    expect(within(empty).getByRole("link", { name: "Deploy" })).toHaveAttribute("href", `/deployments/new?model=${MODEL.id}`);
  });

  it("shows who moved aliases and stages, and everything else on demand", async () => {
    const event = (id: string, action: string, summary: string) => ({ id, at: "2025-01-02T00:00:00Z", actor: "ds", action, summary });
    const calls = server(({ url }) => {
      if (!url.pathname.endsWith("/history")) return undefined;
      const moves = url.searchParams.getAll("action").length > 0;
      return {
        body: {
          items: moves
            ? [event("2", "model.version.stage", "moved v2 from staging to production; archived v1"), event("1", "model.alias.set", "moved champion from v1 to v2")]
            : [event("3", "model.version.create", "uploaded v2"), event("4", "model.create", "registered the model")],
          total: 2,
          next_cursor: null,
        },
      };
    });
    renderAs("viewer", <ModelDetailPage />, route);
    const events = await screen.findAllByTestId("history-event");
    expect(events.map((e) => e.textContent)).toEqual([
      expect.stringContaining("moved v2 from staging to production; archived v1"),
      expect.stringContaining("moved champion from v1 to v2"),
    ]);
    expect(within(events[0]).getByText(/^ds ·/)).toBeInTheDocument();
    const first = calls.find((c) => c.url.pathname.endsWith("/history"))!;
    expect(first.url.searchParams.getAll("action")).toEqual(["model.alias.set", "model.alias.delete", "model.version.stage"]);
    await userEvent.click(screen.getByRole("button", { name: "All" }));
    expect(await screen.findByText("registered the model")).toBeInTheDocument();
    expect(calls.filter((c) => c.url.pathname.endsWith("/history")).at(-1)!.url.searchParams.getAll("action")).toEqual([]);
  });
});
