import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderAs } from "../../test/utils";
import { ExecutionDetailPage } from "./ExecutionDetailPage";
import { timelineBars } from "./timeline";

afterEach(() => vi.unstubAllGlobals());

const ID = "e".repeat(32);
const TASKS = [
  { task_id: "prepare", state: "success", try_number: 1, start_date: "2025-01-01T10:00:00Z", end_date: "2025-01-01T10:00:10Z" },
  { task_id: "batch_scoring", state: "running", try_number: 1, start_date: "2025-01-01T10:00:10Z", end_date: null },
];
const EXECUTION = {
  id: ID, deployment_id: "d1", deployment_name: "churn-weekly", kind: "batch_scoring", dag_id: "mh_d1", run_id: "manual__1",
  model_id: "m1", model_name: "Churn", status: "running", trigger: "manual", triggered_by: "business_user", created_at: "2025-01-01T10:00:00Z",
  started_at: "2025-01-01T10:00:00Z", params: {}, overrides: {}, results: [], tasks: TASKS,
};

describe("task timeline", () => {
  it("places each task from its start to its end (now while it runs)", () => {
    const now = new Date("2025-01-01T10:00:20Z").getTime();
    const { bars } = timelineBars(TASKS, now);
    expect(bars[0]).toMatchObject({ task: "prepare", left: 0, width: 50, running: false });
    expect(bars[1]).toMatchObject({ task: "batch_scoring", left: 50, width: 50, running: true });
    expect(timelineBars([{ task_id: "x", state: null, try_number: 0 }]).bars[0].start).toBeNull();
  });
});

describe("execution detail", () => {
  it("shows the live status, the tasks, the log that follows, and the results with downloads", async () => {
    let logCalls = 0;
    const calls = mockFetch(({ url }) => {
      if (url.pathname === `/api/executions/${ID}`) return { body: EXECUTION };
      if (url.pathname === `/api/executions/${ID}/logs`) {
        logCalls += 1;
        const offset = Number(url.searchParams.get("offset"));
        return { body: { task_id: "batch_scoring", try_number: 1, state: "running", finished: false, offset: offset + 1, lines: [{ message: `line ${offset + 1}`, level: "info" }] } };
      }
      if (url.pathname === `/api/executions/${ID}/results`)
        return { body: [{ name: "predictions.parquet", size: 2048, download_path: `/api/executions/${ID}/results/predictions.parquet` }] };
    });
    renderAs("business_user", <ExecutionDetailPage />, { route: `/executions/${ID}`, path: "/executions/:executionId" });
    expect(await screen.findByTestId("execution-status")).toHaveTextContent("Running");
    expect(screen.getByTestId("bar-prepare")).toBeInTheDocument();
    expect(screen.getByTestId("bar-batch_scoring")).toBeInTheDocument();
    expect(await within(screen.getByTestId("log-viewer")).findByText("line 1")).toBeInTheDocument();
    expect(await screen.findByRole("button", { name: "download predictions.parquet" })).toBeInTheDocument();
    // business user started it: may cancel it
    expect(screen.getByRole("button", { name: "Cancel run" })).toBeInTheDocument();
    // the log is asked from the offset already read
    await within(screen.getByTestId("log-viewer")).findByText("line 2", undefined, { timeout: 4000 });
    expect(calls.filter((c) => c.url.pathname.endsWith("/logs")).map((c) => c.url.searchParams.get("offset")).slice(0, 2)).toEqual(["0", "1"]);
    expect(logCalls).toBeGreaterThanOrEqual(2);
  });

  it("viewer reads but cannot cancel; a finished run stops polling", async () => {
    mockFetch(({ url }) => {
      if (url.pathname === `/api/executions/${ID}`) return { body: { ...EXECUTION, status: "failed", message: "the job raised ValueError", tasks: [{ ...TASKS[0], state: "failed" }] } };
      if (url.pathname.endsWith("/logs")) return { body: { task_id: "prepare", try_number: 1, state: "failed", finished: true, offset: 0, lines: [] } };
      if (url.pathname.endsWith("/results")) return { body: [] };
    });
    renderAs("viewer", <ExecutionDetailPage />, { route: `/executions/${ID}`, path: "/executions/:executionId" });
    expect(await screen.findByTestId("execution-message")).toHaveTextContent("the job raised ValueError");
    expect(screen.queryByRole("button", { name: "Cancel run" })).not.toBeInTheDocument();
    expect(await screen.findByText("This execution wrote no result file.")).toBeInTheDocument();
  });
});
