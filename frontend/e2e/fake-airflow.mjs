// A stand-in for Airflow's REST API v2, for the UI's end-to-end tests only: the backend's Airflow
// client talks to it like to Airflow, so the execution pages can be driven (queued → running →
// success, task times, a growing log) without starting Airflow on a 2-core machine. The real
// backend ↔ Airflow integration is covered by tests/integration against a real Airflow; set
// E2E_AIRFLOW_URL (+ E2E_AIRFLOW_USERNAME/PASSWORD) to run these e2e tests against one instead.
import { createServer } from "node:http";

const RUN_TASKS = ["prepare", "batch_scoring"];

export function startFakeAirflow({ taskSeconds = 3 } = {}) {
  const dags = new Map(); // dag_id -> is_paused
  const runs = new Map(); // `${dag}/${run}` -> run
  let counter = 0;

  const now = () => Date.now();
  const iso = (ms) => new Date(ms).toISOString();

  function runView(run) {
    const elapsed = (now() - run.created) / 1000;
    const tasks = RUN_TASKS.map((task_id, i) => {
      const start = run.created + 1000 + i * taskSeconds * 1000;
      const end = start + taskSeconds * 1000;
      let state = "scheduled";
      if (run.forced) state = now() >= start ? (now() >= end ? "success" : "failed") : "upstream_failed";
      else if (now() >= end) state = "success";
      else if (now() >= start) state = "running";
      return {
        task_id,
        state,
        try_number: now() >= start ? 1 : 0,
        start_date: now() >= start ? iso(start) : null,
        end_date: now() >= end || (run.forced && now() >= start) ? iso(Math.min(end, run.forcedAt ?? end)) : null,
        duration: now() >= end ? taskSeconds : null,
      };
    });
    const started = elapsed >= 1;
    const done = tasks.every((t) => t.state === "success");
    const state = run.forced ?? (done ? "success" : started ? "running" : "queued");
    const endDate = run.forced ? iso(run.forcedAt) : done ? tasks[tasks.length - 1].end_date : null;
    return {
      run: {
        dag_id: run.dag_id,
        dag_run_id: run.dag_run_id,
        state,
        conf: run.conf,
        run_type: "manual",
        queued_at: iso(run.created),
        start_date: started ? iso(run.created + 1000) : null,
        end_date: endDate,
      },
      tasks,
    };
  }

  function logOf(run, taskId) {
    const { tasks } = runView(run);
    const task = tasks.find((t) => t.task_id === taskId);
    if (!task?.start_date) return [];
    const start = new Date(task.start_date).getTime();
    const until = task.end_date ? new Date(task.end_date).getTime() : now();
    const lines = [];
    for (let t = start, n = 1; t <= until; t += 250, n += 1) {
      lines.push({ timestamp: iso(t), level: n % 9 === 0 ? "warning" : "info", logger: "modelhub.jobs", event: `${taskId}: step ${n} — processed ${n * 1000} rows` });
    }
    if (task.end_date) lines.push({ timestamp: task.end_date, level: "info", logger: "modelhub.jobs", event: `${taskId} finished: ${task.state}` });
    return lines;
  }

  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const url = new URL(req.url, "http://fake");
      const path = decodeURIComponent(url.pathname);
      const json = (status, value) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(value === undefined ? "" : JSON.stringify(value));
      };
      const input = body ? JSON.parse(body) : {};
      const dag = (id) => ({ dag_id: id, is_paused: dags.get(id) ?? true, description: "stand-in [spec r999999]", is_stale: false });
      let m;
      if (req.method === "POST" && path === "/auth/token") return json(201, { access_token: "fake-token" });
      if (path === "/api/v2/monitor/health")
        return json(200, { metadatabase: { status: "healthy" }, scheduler: { status: "healthy" }, dag_processor: { status: "healthy" } });
      if (path === "/api/v2/dags" && req.method === "GET") return json(200, { dags: [...dags.keys()].map(dag), total_entries: dags.size });
      if (path === "/api/v2/dags/~/dagRuns") return json(200, { dag_runs: [], total_entries: 0 });
      if ((m = /^\/api\/v2\/dags\/([^/]+)$/.exec(path))) {
        const id = m[1];
        if (!dags.has(id)) dags.set(id, true);
        if (req.method === "PATCH") dags.set(id, !!input.is_paused);
        if (req.method === "DELETE") {
          dags.delete(id);
          return json(204);
        }
        return json(200, dag(id));
      }
      if ((m = /^\/api\/v2\/dags\/([^/]+)\/dagRuns$/.exec(path)) && req.method === "POST") {
        counter += 1;
        const run = { dag_id: m[1], dag_run_id: `manual__fake_${counter}`, conf: input.conf ?? {}, created: now() };
        runs.set(`${run.dag_id}/${run.dag_run_id}`, run);
        return json(200, runView(run).run);
      }
      if ((m = /^\/api\/v2\/dags\/([^/]+)\/dagRuns\/([^/]+)(\/taskInstances(?:\/([^/]+)\/logs\/(\d+))?)?$/.exec(path))) {
        const run = runs.get(`${m[1]}/${m[2]}`);
        if (!run) return json(404, { detail: "not found" });
        if (req.method === "PATCH" && input.state) {
          run.forced = input.state;
          run.forcedAt = now();
        }
        if (m[4]) return json(200, { content: logOf(run, m[4]) });
        if (m[3]) return json(200, { task_instances: runView(run).tasks, total_entries: RUN_TASKS.length });
        return json(200, runView(run).run);
      }
      return json(404, { detail: `stand-in Airflow: no route ${req.method} ${path}` });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
