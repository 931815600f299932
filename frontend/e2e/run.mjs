#!/usr/bin/env node
/* global document */
// End-to-end checks of the web UI in Debian's Chromium (headless) through playwright-core, against a
// real backend that this script starts (`modelhub serve` in embedded mode, temporary data dir, free
// port, serving frontend/dist) beside a real Airflow 3 (e2e/start-airflow.sh, as `make run` starts it)
// whose tasks run ModelHub's jobs, unless E2E_BASE_URL points at a server already running. Screenshots of every main page go to
// <repo>/test-artifacts/screenshots/. Ends with "N passed, N failed"; exits 1 on any failure.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const shots = process.env.E2E_SHOTS ?? join(repo, "test-artifacts", "screenshots");
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const USERS = {
  admin: { password: "admin123", role: "admin" },
  datascientist: { password: "password123", role: "data_scientist" },
  business: { password: "password123", role: "business_user" },
  viewer: { password: "password123", role: "viewer" },
};

let passed = 0;
let failed = 0;
const failures = [];

async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed += 1;
    console.log(`  ok    ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed += 1;
    failures.push(name);
    console.log(`  FAIL  ${name}\n        ${String(error?.message ?? error).split("\n").slice(0, 6).join("\n        ")}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHealth(base, child, seconds = 120) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`the backend exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${base}/api/health`);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the backend did not answer ${base}/api/health within ${seconds} s`);
}

/** Stop a detached child's process group: SIGTERM, then SIGKILL after `seconds`. */
async function stopGroup(child, seconds) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  for (let i = 0; i < seconds * 5 && child.exitCode === null && child.signalCode === null; i++) await new Promise((r) => setTimeout(r, 200));
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Run a command of the app's cached venv (scripts/lib.sh ensure_app_env) in the repo; resolves with its output. */
function appPython(script, env = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn("bash", ["-c", `source scripts/lib.sh && ensure_app_env dev >&2 && ${script}`], {
      cwd: repo,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => (code === 0 ? resolveRun(out) : reject(new Error(`${script} exited with ${code}:\n${out.slice(-3000)}`))));
  });
}

/**
 * A real Airflow 3 started the way `make run` starts it (e2e/start-airflow.sh: the cached Airflow venv,
 * `python -m modelhub.orchestration.local run`), on a DAGs folder of its own with ModelHub's factory, whose
 * tasks run ModelHub's jobs against this e2e backend (its data dir, API URL and service credential).
 * Its first start migrates a fresh SQLite database (30-60 s): `ready()` waits for it, the backend
 * starts meanwhile. `stop()` sends SIGTERM to the supervisor, which stops every Airflow process.
 */
function startAirflow({ dataDir, dagsFolder, base, serviceSecret }) {
  const workdir = join(dataDir, "airflow");
  mkdirSync(workdir, { recursive: true });
  const password = randomBytes(12).toString("hex");
  // `local prepare` keeps an existing password file: the backend knows the password before Airflow is up
  writeFileSync(join(workdir, "simple_auth_manager_passwords.json"), JSON.stringify({ admin: password }) + "\n", { mode: 0o600 });
  return freePort().then((port) => {
    const child = spawn("bash", [join(here, "start-airflow.sh"), workdir, dagsFolder, String(port)], {
      cwd: repo,
      env: { ...process.env, MODELHUB_DATA_DIR: dataDir, MODELHUB_API_URL: base, MODELHUB_SERVICE_CLIENT_SECRET: serviceSecret },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout.on("data", (d) => (log = (log + d).slice(-20000)));
    child.stderr.on("data", (d) => (log = (log + d).slice(-20000)));
    const started = Date.now();
    let readyAt = null;
    const ready = async (seconds = 300) => {
      const deadline = Date.now() + seconds * 1000;
      while (!existsSync(join(workdir, "ready"))) {
        if (child.exitCode !== null) throw new Error(`Airflow exited with ${child.exitCode}:\n${log.slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`Airflow was not ready within ${seconds} s (logs in ${workdir}):\n${log.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      readyAt ??= Date.now();
      return (readyAt - started) / 1000;
    };
    const url = `http://127.0.0.1:${port}`;
    const dag = async (dagId) => {
      const auth = await fetch(`${url}/auth/token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: "admin", password }) });
      const { access_token: token } = await auth.json();
      const response = await fetch(`${url}/api/v2/dags/${dagId}`, { headers: { Authorization: `Bearer ${token}` } });
      return response.ok ? response.json() : null;
    };
    return { url, password, ready, dag, stop: () => stopGroup(child, 60) };
  });
}

/** `modelhub serve` from the cached venv (what `make run` starts) on `port` with its own data dir and
 * the UI of frontend/dist; detached = its own process group, stopped as a whole. */
function serve(port, dataDir, env) {
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    "bash",
    ["-c", 'source scripts/lib.sh && ensure_app_env dev && exec modelhub serve --host 127.0.0.1 --port "$E2E_PORT"'],
    {
      cwd: repo,
      env: { ...process.env, E2E_PORT: String(port), MODELHUB_DATA_DIR: dataDir, MODELHUB_WEB_DIR: join(repo, "frontend", "dist"), MODELHUB_DEMO_USERS: "true",
        MODELHUB_GRAFANA_URL: "", MODELHUB_SUPERSET_URL: "", MODELHUB_PUBLIC_URL: base, ...env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let log = "";
  child.stdout.on("data", (d) => (log = (log + d).slice(-20000)));
  child.stderr.on("data", (d) => (log = (log + d).slice(-20000)));
  const ready = async () => {
    try {
      await waitForHealth(base, child);
    } catch (error) {
      console.log(log.slice(-4000));
      throw error;
    }
  };
  return { base, ready, stop: () => stopGroup(child, 10) };
}

/**
 * A real Keycloak with the demo realm (e2e/keycloak.py, the test harness's server) and a second backend
 * whose sign-in is OIDC against it, for the authorization code + PKCE check. Keycloak starts at once
 * (15-40 s) while the other checks run; `ready()` then starts the backend and resolves with its URL.
 */
async function startOidc() {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), "modelhub-e2e-oidc-"));
  const child = spawn("bash", ["-c", `source scripts/lib.sh && ensure_app_env dev >&2 && exec python frontend/e2e/keycloak.py "$E2E_KC_DIR" "$E2E_ORIGIN"`], {
    cwd: repo,
    env: { ...process.env, E2E_KC_DIR: join(dataDir, "keycloak"), E2E_ORIGIN: origin },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  let out = "";
  child.stderr.on("data", (d) => (log = (log + d).slice(-20000)));
  const keycloak = new Promise((resolveKc, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolveKc(JSON.parse(line));
    });
    child.on("exit", (code) => reject(new Error(`Keycloak's launcher exited with ${code}:\n${log.slice(-3000)}`)));
  });
  keycloak.catch(() => {}); // awaited by ready()
  let server = null;
  const ready = async () => {
    const { issuer } = await Promise.race([keycloak, new Promise((_r, reject) => setTimeout(() => reject(new Error(`Keycloak not up after 240 s:\n${log.slice(-3000)}`)), 240000))]);
    if (!server) {
      server = serve(port, join(dataDir, "app"), { MODELHUB_AUTH_ISSUER: issuer, MODELHUB_DEMO_USERS: "false", MODELHUB_AIRFLOW_URL: "", MODELHUB_ORCHESTRATOR_SYNC_INTERVAL_S: "0" });
      await server.ready();
    }
    return { base: origin, issuer };
  };
  const stop = async () => {
    await server?.stop();
    await stopGroup(child, 60);
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { ready, stop };
}

async function startBackend() {
  if (process.env.E2E_BASE_URL) return { base: process.env.E2E_BASE_URL.replace(/\/$/, ""), stop: async () => {} };
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "modelhub-e2e-"));
  const base = `http://127.0.0.1:${port}`;
  const webDir = join(repo, "frontend", "dist");
  if (!existsSync(join(webDir, "index.html"))) throw new Error("frontend/dist is missing: run `npm run build` first");
  // the real model files and dataset the deployment scores (e2e/make-model.py), made meanwhile
  const filesDir = join(dataDir, "e2e-files");
  const files = appPython(`exec python frontend/e2e/make-model.py "$E2E_FILES"`, { E2E_FILES: filesDir }).then(() => filesDir);
  files.catch(() => {}); // awaited by seed()
  // Airflow's DAGs folder as in the repo (factory + .airflowignore); the backend writes its specs to generated/
  const dagsFolder = join(dataDir, "airflow-dags");
  mkdirSync(join(dagsFolder, "generated"), { recursive: true });
  for (const name of ["modelhub_factory.py", ".airflowignore"]) copyFileSync(join(repo, "airflow", "dags", name), join(dagsFolder, name));
  const serviceSecret = randomBytes(24).toString("hex");
  const airflow = await startAirflow({ dataDir, dagsFolder, base, serviceSecret });
  const server = serve(port, dataDir, {
    MODELHUB_ORCHESTRATOR_SYNC_INTERVAL_S: "2",
    MODELHUB_DAGS_DIR: join(dagsFolder, "generated"),
    MODELHUB_SERVICE_CLIENT_SECRET: serviceSecret,
    MODELHUB_AIRFLOW_URL: airflow.url,
    MODELHUB_AIRFLOW_USERNAME: "admin",
    MODELHUB_AIRFLOW_PASSWORD: airflow.password,
    MODELHUB_DAG_VISIBLE_WAIT_S: "30",
    MODELHUB_SERVING_PRESTART: "true", // as make run: the first prediction finds its workers started
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop();
    await airflow.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await server.ready();
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, stop, dataDir, airflow, files };
}

/** Registry content through the API, so the catalog and its screenshots show something real. */
async function seed(base, files) {
  const form = new URLSearchParams({ grant_type: "password", username: "datascientist", password: "password123" });
  const token = (await (await fetch(`${base}/api/auth/token`, { method: "POST", body: form })).json()).access_token;
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const departments = ["marketing", "supply-chain", "finance", "sales", "r&d", "hr"];
  const geographies = ["emea", "north-america", "apac", "latam"];
  const frameworks = ["sklearn", "xgboost", "pytorch", "lightgbm", "onnx"];
  const tasks = ["classification", "regression", "forecasting", "clustering"];
  const names = [
    "Customer churn", "Demand forecast", "Price elasticity", "Fraud detection", "Lead scoring", "Stock replenishment",
    "Attrition risk", "Promo uplift", "Credit limit", "Delivery ETA", "Basket affinity", "Shelf placement",
    "Cash flow forecast", "Sentiment monitor",
  ];
  let first = null;
  for (const [i, name] of names.entries()) {
    const response = await fetch(`${base}/api/models`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        name,
        description: `${name} model for the ${departments[i % departments.length]} team.`,
        department: departments[i % departments.length],
        geography: geographies[i % geographies.length],
        framework: frameworks[i % frameworks.length],
        task_type: tasks[i % tasks.length],
        tags: i % 3 === 0 ? ["weekly", "priority"] : ["weekly"],
        input_schema: i === 0 ? { type: "object", properties: { tenure: { type: "integer" }, monthly_spend: { type: "number" }, support_calls: { type: "integer" } } } : undefined,
      }),
    });
    if (response.status === 404) return null; // no registry API on this server yet
    if (!response.ok) throw new Error(`seeding ${name}: ${response.status} ${await response.text()}`);
    const model = await response.json();
    first ??= model;
  }
  // two real scikit-learn versions (skops) and the customers they score: what the execution checks run
  const filesDir = files ? await files : null;
  for (const [v, metrics] of [{ auc: 0.81, f1: 0.72 }, { auc: 0.84, f1: 0.75 }].entries()) {
    const body = new FormData();
    const bytes = filesDir ? readFileSync(join(filesDir, `churn-${v + 1}.skops`)) : `model bytes ${v}`;
    body.set("file", new Blob([bytes]), `churn-${v + 1}.${filesDir ? "skops" : "bin"}`);
    body.set("format", filesDir ? "skops" : "other");
    body.set("metrics", JSON.stringify(metrics));
    const response = await fetch(`${base}/api/models/${first.id}/versions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
      body,
    });
    if (!response.ok) console.log(`  note: version upload answered ${response.status} ${await response.text()}`);
  }
  await fetch(`${base}/api/models/${first.id}/aliases/champion`, { method: "PUT", headers, body: JSON.stringify({ version: 2 }) });
  const data = new FormData();
  const csv = filesDir ? readFileSync(join(filesDir, "customers.csv")) : "id,tenure,monthly_spend,support_calls\nc-000,12,42.5,1\nc-001,3,9.9,4\n";
  data.set("file", new Blob([csv], { type: "text/csv" }), "customers.csv");
  data.set("name", "customers-weekly");
  const uploaded = await fetch(`${base}/api/datasets`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: data });
  const dataset = uploaded.ok ? await uploaded.json() : null;
  if (!uploaded.ok) console.log(`  note: dataset upload answered ${uploaded.status} ${await uploaded.text()}`);
  for (const deployment of [
    { name: "churn-weekly-scoring", model_id: first.id, alias: "champion", kind: "batch_scoring", schedule: "0 6 * * 1", timezone: "Europe/Paris", dataset_id: dataset?.id },
    { name: "churn-adhoc-scoring", model_id: first.id, version: 1, kind: "batch_scoring", dataset_id: dataset?.id },
  ]) {
    const response = await fetch(`${base}/api/deployments`, { method: "POST", headers, body: JSON.stringify(deployment) });
    if (!response.ok && response.status !== 404) console.log(`  note: deployment answered ${response.status} ${await response.text()}`);
  }
  return first;
}

async function apiToken(base, username) {
  const form = new URLSearchParams({ grant_type: "password", username, password: USERS[username].password });
  return (await (await fetch(`${base}/api/auth/token`, { method: "POST", body: form })).json()).access_token;
}

async function api(base, username, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${await apiToken(base, username)}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Slow the browser's uploads down so the progress bar can be seen (and cancelled) on localhost. */
async function throttleUploads(page, bytesPerSecond) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond ?? -1,
  });
  return cdp;
}

async function signIn(page, base, username, { next } = {}) {
  await page.goto(`${base}/login${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(USERS[username].password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("current-user").filter({ hasText: username }).waitFor();
}

async function visible(locator) {
  try {
    await locator.first().waitFor({ state: "visible", timeout: 4000 });
    return true;
  } catch {
    return false;
  }
}

async function settle(page) {
  await page.waitForLoadState("networkidle").catch(() => {});
  // no spinner, no grid loading overlay
  await page.waitForFunction(() => !document.querySelector('[role="progressbar"], .MuiDataGrid-overlay .MuiCircularProgress-root, .MuiSkeleton-root'), null, { timeout: 10000 }).catch(() => {});
  await page.waitForTimeout(250);
}

async function shot(page, name, { full = true } = {}) {
  await settle(page);
  // dialogs and drawers cover the viewport only: a full-page shot would show the page half-dimmed
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: full });
}

async function main() {
  mkdirSync(shots, { recursive: true });
  const backend = await startBackend();
  const { base } = backend;
  // Keycloak + a backend signing in through it, for the OIDC check (started now, used at the end)
  const oidc = process.env.E2E_BASE_URL || process.env.E2E_SKIP_OIDC ? null : await startOidc();
  // Ctrl-C or a kill: stop the backends, Airflow and Keycloak (process groups of their own) before leaving
  for (const signal of ["SIGINT", "SIGTERM"])
    process.once(signal, () => {
      Promise.allSettled([backend.stop(), oidc?.stop()]).finally(() => process.exit(130));
    });
  console.log(`e2e against ${base}`);
  const profile = mkdtempSync(join(tmpdir(), "modelhub-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  context.setDefaultTimeout(15000);
  const consoleErrors = [];
  let page;
  const freshPage = async () => {
    await page?.close();
    await context.clearCookies();
    page = await context.newPage(); // a new tab: empty sessionStorage, so signed out
    page.on("pageerror", (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
    return page;
  };

  try {
    const model = await seed(base, backend.files);
    console.log(model ? `seeded 14 models (first: ${model.name})` : "no registry API: nothing seeded");

    await check("the login page loads from the backend at /", async () => {
      await freshPage();
      await page.goto(`${base}/models`);
      await page.waitForURL(/\/login\?next=%2Fmodels/);
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      await shot(page, "01-login");
    });

    await check("the login form validates and shows a wrong password", async () => {
      await page.getByRole("button", { name: "Sign in" }).click();
      assert(await visible(page.getByText("Enter your username")), "no 'Enter your username' message");
      await page.getByLabel("Username").fill("viewer");
      await page.getByLabel("Password").fill("wrong-password");
      await page.getByRole("button", { name: "Sign in" }).click();
      assert(await visible(page.getByRole("alert").filter({ hasText: "Wrong username or password" })), "no wrong-password alert");
      await shot(page, "02-login-error");
    });

    for (const [username, { role }] of Object.entries(USERS)) {
      const admin = role === "admin";
      const editor = role === "admin" || role === "data_scientist";
      await check(`${username} signs in and sees the navigation of ${role}`, async () => {
        await freshPage();
        await signIn(page, base, username);
        for (const item of ["home", "models", "deployments", "executions", "reports"]) {
          assert(await visible(page.getByTestId(`nav-${item}`)), `nav ${item} missing`);
        }
        assert((await page.getByTestId("nav-users").count()) === (admin ? 1 : 0), `nav users ${admin ? "missing" : "shown"}`);
        assert((await page.getByTestId("nav-audit-log").count()) === (admin ? 1 : 0), `nav audit ${admin ? "missing" : "shown"}`);
        await shot(page, `10-home-${username}`);
      });
      await check(`${username} ${editor ? "sees" : "does not see"} the create buttons`, async () => {
        await page.getByTestId("nav-models").click();
        await page.getByRole("heading", { name: "Models", exact: true }).waitFor();
        await settle(page);
        const register = await page.getByRole("button", { name: "Register model" }).count();
        assert(editor ? register > 0 : register === 0, `Register model count ${register}`);
        await page.getByTestId("nav-deployments").click();
        await page.getByRole("heading", { name: "Deployments", exact: true }).waitFor();
        const deploy =
          (await page.getByRole("button", { name: "New deployment" }).count()) + (await page.getByRole("link", { name: "New deployment" }).count());
        assert(editor ? deploy > 0 : deploy === 0, `New deployment count ${deploy}`);
      });
      if (!admin) {
        await check(`${username} forcing /users and /audit gets the 403 page`, async () => {
          await page.goto(`${base}/users`);
          await page.getByTestId("forbidden-page").waitFor();
          assert((await page.getByRole("button", { name: "Create user" }).count()) === 0, "Create user button shown");
          if (username === "viewer") await shot(page, "40-forbidden-viewer");
          await page.goto(`${base}/audit`);
          await page.getByTestId("forbidden-page").waitFor();
        });
      }
    }

    await check("admin sees every main page (screenshots)", async () => {
      await freshPage();
      await signIn(page, base, "admin");
      await page.getByTestId("home-executions-chart").waitFor();
      await shot(page, "11-home");
      await page.getByTestId("nav-models").click();
      await page.getByRole("heading", { name: "Models", exact: true }).waitFor();
      await shot(page, "20-models");
      if (model) {
        await page.getByTestId("facet-department-marketing").click();
        await page.waitForURL(/department=marketing/);
        await page.getByText("Department: marketing").waitFor();
        await shot(page, "21-models-filtered");
        await page.getByRole("link", { name: model.name }).click();
        await page.getByRole("heading", { name: model.name }).waitFor();
        await shot(page, "22-model-detail");
      }
      for (const [nav, heading, name] of [
        ["deployments", "Deployments", "30-deployments"],
        ["executions", "Executions", "31-executions"],
        ["reports", "Reports", "32-reports"],
        ["users", "Users", "50-users"],
        ["audit-log", "Audit log", "60-audit"],
      ]) {
        await page.getByTestId(`nav-${nav}`).click();
        await page.getByRole("heading", { name: heading, exact: true }).waitFor();
        await shot(page, name);
      }
      await page.goto(`${base}/no/such/page`);
      await page.getByTestId("not-found-page").waitFor();
      await shot(page, "41-not-found");
    });

    await check("reports show the metrics charts or their empty state, and the model page its monitoring", async () => {
      await freshPage();
      await signIn(page, base, "viewer");
      await page.getByTestId("nav-reports").click();
      await page.getByRole("heading", { name: "Reports", exact: true }).waitFor();
      await page.getByTestId("kpi-Models").waitFor();
      // a fresh e2e backend may have no metric history yet: then the page says so instead of empty axes
      const empty = await page.getByTestId("reports-no-history").count();
      const chart = await page.getByTestId("chart-executions-per-day").count();
      assert(empty + chart === 1, `expected the executions chart or the no-history notice (chart ${chart}, notice ${empty})`);
      if (chart) assert(await visible(page.locator('[data-testid="chart-executions-per-day"] svg').first()), "the executions chart has no SVG");
      const links = page.getByTestId("dashboard-links");
      await links.getByText("Grafana and Superset are not configured").waitFor();
      assert(await visible(links.getByText("MODELHUB_GRAFANA_URL")), "the empty state does not name MODELHUB_GRAFANA_URL");
      await shot(page, "33-reports-viewer");
      if (model) {
        await page.goto(`${base}/models/${model.id}`);
        await page.getByRole("heading", { name: model.name }).waitFor();
        const monitoring = page.getByTestId("monitoring");
        await monitoring.scrollIntoViewIfNeeded();
        await page.getByTestId("drift-status").getByText(/No drift report yet|Drifted|No drift|Not enough data/).first().waitFor();
        assert(await visible(monitoring.getByText("Model quality")), "no model quality chart");
        assert(await visible(monitoring.getByText("Prediction volume")), "no prediction volume chart");
        assert((await page.getByTestId("predict-panel").count()) === 0, "a viewer is offered the prediction form");
        await page.evaluate(() => document.scrollingElement?.scrollTo(0, 0)); // a full-page shot of a scrolled page draws the fixed bars mid-page
        await shot(page, "23-model-monitoring");
      }
    });

    await check("business user tries a prediction on the model page (form from the input schema, a missing feature named, the worker's answer, the request in the log)", async () => {
      assert(model, "no seeded model");
      await freshPage();
      await signIn(page, base, "business", { next: `/models/${model.id}` });
      await page.getByRole("heading", { name: model.name }).waitFor();
      const panel = page.getByTestId("predict-panel");
      await panel.scrollIntoViewIfNeeded();
      await panel.getByLabel("tenure").fill("3");
      await panel.getByLabel("monthly_spend").fill("72.5");
      // support_calls left empty: the schema allows it, the model needs it; the worker names it
      await panel.getByRole("button", { name: "Predict" }).click();
      // the version's first request loads its file in a worker (seconds, more beside Airflow's start)
      await panel.getByTestId("predict-error").or(panel.getByTestId("prediction-result")).waitFor({ timeout: 90000 });
      assert(await visible(panel.getByTestId("predict-error").getByText("The records do not fit the model")), `no 422 shown: ${await panel.innerText()}`);
      await panel.getByText("missing", { exact: true }).waitFor();
      await panel.getByLabel("support_calls").fill("5");
      await panel.getByRole("button", { name: "Predict" }).click();
      const value = (await panel.getByTestId("prediction-value").textContent()).trim();
      const record = { tenure: 3, monthly_spend: 72.5, support_calls: 5 };
      const expected = await api(base, "business", "POST", `/api/models/${model.id}/predict?alias=champion&probabilities=true`, { records: [record] });
      assert(expected.status === 200, `the API answered ${expected.status}`);
      assert(String(expected.body.predictions[0]) === value, `the page shows ${value}, the API answers ${expected.body.predictions[0]}`);
      const best = Math.max(...expected.body.probabilities[0]);
      await panel.getByTestId("prediction-probabilities").getByText(`${(best * 100).toFixed(1)} %`).waitFor();
      await panel.getByText(`answered by ${model.name} v${expected.body.model_version}`, { exact: false }).waitFor();
      await settle(page);
      await panel.screenshot({ path: join(shots, "24-model-try-prediction.png") });
      // both requests (the page's and the check's) reach the prediction log, the page's caller named
      const log = page.getByTestId("prediction-log");
      await log.scrollIntoViewIfNeeded();
      await log.getByRole("gridcell", { name: "business" }).nth(1).waitFor({ timeout: 30000 });
      await settle(page);
      await log.screenshot({ path: join(shots, "25-model-prediction-log.png") });
    });

    let registered = null;
    await check("data scientist registers a model through the form (live name rule, schema editor, Markdown preview)", async () => {
      await freshPage();
      await signIn(page, base, "datascientist");
      await page.getByTestId("nav-models").click();
      await page.getByRole("button", { name: "Register model" }).first().click();
      await page.getByRole("heading", { name: "Register a model" }).waitFor();
      await page.getByLabel("Name", { exact: true }).fill("churn/v2");
      assert(await visible(page.getByText(/Not allowed: "\/"/)), "the live name rule does not name the '/'");
      await page.getByLabel("Name", { exact: true }).fill("E2E churn propensity");
      await page.getByLabel("Description").fill("Propensity of a customer to churn within 90 days.");
      await page.getByLabel("Department").fill("marketing");
      await page.getByLabel("Geography").fill("emea");
      await page.getByRole("combobox", { name: "Tags" }).fill("churn");
      await page.keyboard.press("Enter");
      await page.getByRole("combobox", { name: "Tags" }).fill("weekly");
      await page.keyboard.press("Enter");
      await page.getByLabel("Input schema").fill('{"type": "object", "properties": {"tenure": {"type": "int"}}}');
      assert(await visible(page.getByText(/unknown type "int"/)), "the input schema editor does not flag an unknown type");
      await page.getByLabel("Input schema").fill("");
      await page.getByRole("button", { name: "Start from an example" }).first().click();
      await page.getByLabel("Documentation").fill("# Churn propensity\n\nTrained on **12 months** of `customers`.\n\n- gradient boosting\n- weekly refresh");
      await page.getByRole("tab", { name: "Preview" }).click();
      await page.getByTestId("markdown-preview").getByRole("heading", { name: "Churn propensity" }).waitFor();
      await shot(page, "70-register-model-form");
      await page.getByRole("button", { name: "Register model" }).click();
      await page.getByText("is registered").waitFor();
      registered = (await api(base, "datascientist", "GET", "/api/models/E2E%20churn%20propensity")).body;
      assert(registered?.input_schema?.properties?.tenure, "the input schema was not saved");
      assert(registered?.documentation?.includes("Churn propensity"), "the documentation was not saved");
    });

    await check("a duplicate model name shows the server's error on the Name field", async () => {
      await page.goto(`${base}/models/new`);
      await page.getByLabel("Name", { exact: true }).fill("Customer churn");
      await page.getByRole("button", { name: "Register model" }).click();
      assert(await visible(page.getByText(/already/i)), "no duplicate-name error on the field");
      await shot(page, "71-register-model-duplicate", { full: false });
    });

    await check("the first version uploads with a visible progress bar; Cancel leaves nothing", async () => {
      assert(registered, "no model registered by the previous check");
      await page.goto(`${base}/models/new`);
      await page.getByLabel("Name", { exact: true }).fill("E2E upload target");
      await page.getByRole("button", { name: "Register model" }).click();
      await page.getByText("is registered").waitFor();
      const target = (await api(base, "datascientist", "GET", "/api/models/E2E%20upload%20target")).body;
      const big = Buffer.alloc(12 * 1024 * 1024, 7);
      const cdp = await throttleUploads(page, 2 * 1024 * 1024);
      await page.getByTestId("version-file").setInputFiles({ name: "model.bin", mimeType: "application/octet-stream", buffer: big });
      await page.getByLabel("Metrics").fill('{"auc": 0.87, "f1": 0.71}');
      await page.getByRole("button", { name: "Upload version" }).click();
      await page.getByTestId("upload-progress").waitFor();
      await page.waitForFunction(() => Number(document.querySelector('[aria-label="upload progress"]')?.getAttribute("aria-valuenow")) > 5, null, { timeout: 15000 });
      await page.screenshot({ path: join(shots, "72-upload-progress.png"), fullPage: true });
      await page.getByRole("button", { name: "Cancel upload" }).click();
      await page.getByText("Upload cancelled: the server kept nothing").waitFor();
      await page.waitForTimeout(500);
      const after = await api(base, "datascientist", "GET", `/api/models/${target.id}/versions`);
      assert(after.body.total === 0, `the cancelled upload left ${after.body.total} version(s)`);
      await shot(page, "73-upload-cancelled", { full: false });
      await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 8 * 1024 * 1024 });
      await page.getByRole("button", { name: "Upload version" }).click();
      await page.getByTestId("upload-progress").waitFor();
      await page.getByRole("heading", { name: "E2E upload target" }).waitFor({ timeout: 30000 });
      await page.getByText(/Version \d+ uploaded/).waitFor();
      const versions = (await api(base, "datascientist", "GET", `/api/models/${target.id}/versions`)).body;
      assert(versions.total === 1, `expected one version after the cancel and the upload, got ${versions.total}`);
      await page.getByRole("gridcell", { name: `v${versions.items[0].version}` }).first().waitFor();
      await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await shot(page, "74-model-after-upload");
    });

    await check("data scientist moves the champion alias with a confirmation", async () => {
      await page.goto(`${base}/models/${model.id}`);
      await page.getByTestId("alias-champion").filter({ hasText: "v2" }).waitFor();
      await page.getByTestId("aliases").getByRole("button", { name: "Move" }).first().click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Version").click();
      await page.getByRole("option", { name: "v1", exact: true }).click();
      await dialog.getByText(/moves from v2 to/).waitFor();
      await shot(page, "75-move-champion-dialog", { full: false });
      await dialog.getByRole("button", { name: "Move champion to v1" }).click();
      await page.getByTestId("alias-champion").filter({ hasText: "v1" }).waitFor();
      const now = (await api(base, "viewer", "GET", `/api/models/${model.id}`)).body;
      assert(now.aliases.champion === 1, `champion is ${now.aliases.champion}`);
      // the move is in the model's history, with who made it; the model's deployments are listed
      const move = page.getByTestId("history-event").filter({ hasText: "moved champion from v2 to v1" });
      await move.getByText(/^datascientist ·/).waitFor();
      const deployments = page.getByTestId("model-deployment");
      await deployments.filter({ hasText: "churn-weekly-scoring" }).getByText(/alias champion/).waitFor();
      await deployments.filter({ hasText: "churn-adhoc-scoring" }).getByText("on demand").waitFor();
      await page.getByTestId("lineage").waitFor();
      await shot(page, "76-model-detail-lineage");
    });

    await check("a stale edit gets the 409 explained with what changed", async () => {
      await page.getByRole("button", { name: "Edit" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Description").fill("My edit of the description.");
      const patched = await api(base, "admin", "PATCH", `/api/models/${model.id}`, { geography: "global" });
      assert(patched.status === 200, `concurrent PATCH answered ${patched.status}`);
      await dialog.getByRole("button", { name: "Save changes" }).click();
      await dialog.getByTestId("stale-edit").waitFor();
      assert(await visible(dialog.getByTestId("stale-edit").getByText("geography")), "the diff does not show the geography change");
      await shot(page, "77-stale-edit", { full: false });
      await dialog.getByRole("button", { name: "Reload" }).click();
      await dialog.getByRole("button", { name: "Save changes" }).click();
      await page.getByText(/saved$/).first().waitFor();
      const now = (await api(base, "viewer", "GET", `/api/models/${model.id}`)).body;
      assert(now.geography === "global" && now.description === "My edit of the description.", `after reload+save: ${now.geography} / ${now.description}`);
    });

    let executionUrl = null;
    await check("data scientist creates a deployment with a cron preset and sees the next runs", async () => {
      await page.goto(`${base}/deployments`);
      await page.getByRole("button", { name: "New deployment" }).or(page.getByRole("link", { name: "New deployment" })).first().click();
      await page.getByRole("heading", { name: "New deployment" }).waitFor();
      await page.getByLabel("Name", { exact: true }).fill("e2e-weekday-scoring");
      await page.getByRole("combobox", { name: "Model" }).fill("Customer");
      await page.getByRole("option", { name: /Customer churn/ }).click();
      await page.getByRole("radio", { name: "Batch scoring" }).waitFor();
      await page.getByRole("combobox", { name: "Dataset" }).click();
      await page.getByRole("option", { name: /customers-weekly/ }).click();
      await page.getByLabel("Batch size").fill("0");
      assert(await visible(page.getByText("must be at least 1")), "the params form does not check the schema");
      await page.getByLabel("Batch size").fill("1000");
      await page.getByRole("combobox", { name: /^Runs/ }).click();
      await page.getByRole("option", { name: "Every weekday (Mon–Fri)" }).click();
      await page.getByLabel("Cron expression").waitFor();
      assert((await page.getByLabel("Cron expression").inputValue()) === "0 6 * * 1-5", "the preset did not fill the expression");
      await page.getByRole("list", { name: "next runs" }).getByRole("listitem").nth(4).waitFor();
      await page.getByText("Every weekday (Monday to Friday) at 06:00").waitFor();
      await shot(page, "80-deployment-form-cron");
      await page.getByRole("button", { name: "Create deployment" }).click();
      await page.getByRole("heading", { name: "e2e-weekday-scoring" }).waitFor();
      await page.getByTestId("deployment-next-runs").getByRole("listitem").first().waitFor();
      await page.getByTestId("deployment-dataset").getByText(/60 rows · 4 columns · csv/).waitFor();
      assert(await visible(page.getByTestId("deployment-dataset").getByRole("button", { name: "customers-weekly" })), "the dataset is not named");
      await shot(page, "81-deployment-detail");
    });

    await check("as business user resume, run now, and follow the real execution live (status, timeline, log)", async () => {
      // the deployment's DAG must be known to the real Airflow first (its first start migrates a database)
      if (backend.airflow) {
        const seconds = await backend.airflow.ready();
        console.log(`        (Airflow ready ${seconds.toFixed(0)} s after its start)`);
        const deployment = (await api(base, "viewer", "GET", "/api/deployments?q=e2e-weekday")).body.items[0];
        const deadline = Date.now() + 90000;
        while (!(await backend.airflow.dag(deployment.dag_id).catch(() => null))) {
          assert(Date.now() < deadline, `the DAG ${deployment.dag_id} did not become visible in Airflow within 90 s`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      // the data scientist resumes it, the business user runs it
      await page.getByRole("button", { name: "Resume" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Resume" }).click();
      await page.getByRole("button", { name: "Pause" }).waitFor();
      const deploymentPath = new URL(page.url()).pathname;
      await freshPage();
      await signIn(page, base, "business", { next: deploymentPath });
      await page.getByRole("button", { name: "Run now" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Run now" }).click();
      // a DAG the scheduler has not taken yet answers 409 "retry": the test retries like a user would
      for (let attempt = 0; attempt < 10; attempt++) {
        const moved = await page.waitForURL(/\/executions\/[0-9a-f]{32}$/, { timeout: 30000 }).then(() => true, () => false);
        if (moved) break;
        const dialog = page.getByRole("dialog");
        assert(attempt < 9 && (await dialog.count()) > 0, "Run now did not open the execution");
        await page.waitForTimeout(2000);
        await dialog.getByRole("button", { name: "Run now" }).click();
      }
      executionUrl = page.url();
      await page.getByTestId("bar-batch_scoring").waitFor({ timeout: 60000 });
      await page.getByTestId("log-viewer").getByText(/batch scoring: model Customer churn/).first().waitFor({ timeout: 90000 });
      await page.screenshot({ path: join(shots, "82-execution-running.png"), fullPage: true });
      await page.getByTestId("execution-status").filter({ hasText: "Success" }).waitFor({ timeout: 120000 });
      await page.getByTestId("log-viewer").getByText(/wrote 60 predictions/).first().waitFor({ timeout: 20000 });
      await shot(page, "83-execution-success");
    });

    await check("the execution's results (written by the job) are listed and download", async () => {
      assert(executionUrl, "no execution from the previous check");
      await page.getByRole("list", { name: "results" }).getByText("predictions.csv").waitFor({ timeout: 30000 });
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "download predictions.csv" }).click(),
      ]);
      assert(download.suggestedFilename() === "predictions.csv", `downloaded ${download.suggestedFilename()}`);
      const text = readFileSync(await download.path(), "utf8").trim().split("\n");
      assert(text[0] === "id,prediction" && text.length === 61 && text[1].startsWith("c-000,"), `predictions.csv: ${text.slice(0, 3).join(" | ")} (${text.length} lines)`);
      await shot(page, "84-execution-results");
      // the home page charts the metrics API's overview: the finished run counts in executions per day
      await page.getByTestId("nav-home").click();
      await page.getByTestId("home-executions-chart").getByTestId("chart-executions-per-day").locator("svg").first().waitFor({ timeout: 30000 });
      await page.getByTestId("home-top-models-chart").waitFor();
      await shot(page, "12-home-charts");
      await page.getByTestId("nav-executions").click();
      await page.getByRole("heading", { name: "Executions", exact: true }).waitFor();
      await page.getByRole("gridcell", { name: /e2e-weekday-scoring/ }).first().waitFor();
      await shot(page, "85-executions-list");
    });

    await check("data scientist edits the deployment's schedule and moves a version to production", async () => {
      await freshPage();
      await signIn(page, base, "datascientist", { next: new URL(executionUrl).pathname });
      await page.getByTestId("execution-status").waitFor();
      await page.getByRole("link", { name: "Deployment", exact: true }).click();
      await page.getByRole("heading", { name: "e2e-weekday-scoring" }).waitFor();
      await page.getByRole("link", { name: "Edit" }).click();
      await page.getByRole("heading", { name: "Edit e2e-weekday-scoring" }).waitFor();
      await page.getByRole("combobox", { name: /^Runs/ }).click();
      await page.getByRole("option", { name: "Every day" }).click();
      await page.getByRole("list", { name: "next runs" }).getByRole("listitem").first().waitFor();
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByRole("heading", { name: "e2e-weekday-scoring" }).waitFor();
      await page.getByTestId("deployment-next-runs").getByText("Every day at 06:00").waitFor();
      const saved = (await api(base, "viewer", "GET", "/api/deployments?q=e2e-weekday")).body.items[0];
      assert(saved.schedule === "0 6 * * *" && saved.revision > 1, `schedule ${saved.schedule}, revision ${saved.revision}`);

      await page.goto(`${base}/models/${model.id}`);
      const row = page.getByRole("row").filter({ has: page.getByRole("gridcell", { name: "v2", exact: true }) });
      await row.getByRole("menuitem", { name: "more" }).or(row.getByLabel("more")).first().click();
      await page.getByRole("menuitem", { name: "Move to stage…" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("button", { name: "Move to production" }).click();
      await page.getByText("v2 is now in production").waitFor();
      await row.getByText("Production").waitFor();
      await page.getByTestId("history-event").filter({ hasText: /moved v2 from \w+ to production/ }).waitFor();
    });

    await check("viewer reads the execution and its log but has no cancel, edit or run button", async () => {
      assert(executionUrl, "no execution from the previous check");
      await freshPage();
      await signIn(page, base, "viewer", { next: new URL(executionUrl).pathname });
      await page.getByTestId("execution-status").waitFor();
      await page.getByTestId("log-viewer").getByText(/batch scoring: model/).first().waitFor();
      assert((await page.getByRole("button", { name: "Cancel run" }).count()) === 0, "viewer sees Cancel run");
      await page.getByRole("link", { name: "Deployment", exact: true }).click();
      await page.getByRole("heading", { name: "e2e-weekday-scoring" }).waitFor();
      for (const name of ["Edit", "Pause", "Run now"])
        assert((await page.getByRole("button", { name }).count()) === 0 && (await page.getByRole("link", { name }).count()) === 0, `viewer sees ${name}`);
      await page.goto(`${base}/deployments/new`);
      await page.getByTestId("forbidden-page").waitFor();
      await page.goto(`${base}/models/new`);
      await page.getByTestId("forbidden-page").waitFor();
    });

    await check("admin creates a user through the dialog and finds it in the list", async () => {
      await freshPage();
      await signIn(page, base, "admin");
      await page.goto(`${base}/users`);
      await page.getByRole("button", { name: "Create user" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("button", { name: "Create user" }).click();
      assert(await visible(dialog.getByText("Choose a username")), "client-side validation missing");
      await dialog.getByLabel("Username").fill("e2e.analyst");
      await dialog.getByLabel("First name").fill("Ada");
      await dialog.getByLabel("Last name").fill("Analyst");
      await dialog.getByLabel("E-mail").fill("ada.analyst@example.com");
      await dialog.getByLabel("Initial password").fill("s3cret-pass");
      await dialog.getByLabel(/Business user/).check();
      await shot(page, "51-create-user-dialog", { full: false });
      await dialog.getByRole("button", { name: "Create user" }).click();
      await page.getByText("User e2e.analyst created").waitFor();
      await page.getByLabel("Search username or e-mail").fill("e2e.analyst");
      await page.getByRole("gridcell", { name: /e2e\.analyst/ }).first().waitFor();
      await shot(page, "52-user-created");
    });

    await check("admin changes the roles of a user and disables it", async () => {
      const row = page.getByRole("row").filter({ hasText: "e2e.analyst" });
      await row.getByRole("menuitem", { name: "more" }).or(row.getByLabel("more")).first().click();
      await page.getByRole("menuitem", { name: "Change roles" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel(/Data scientist/).check();
      await dialog.getByRole("button", { name: "Save roles" }).click();
      await row.getByText("Data scientist").waitFor();
      await row.getByRole("menuitem", { name: "more" }).or(row.getByLabel("more")).first().click();
      await page.getByRole("menuitem", { name: "Disable" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Disable" }).click();
      await page.getByText("e2e.analyst is disabled").waitFor();
      await row.getByText("Disabled").waitFor();
    });

    await check("a duplicate username shows the API's error on the field", async () => {
      await page.getByRole("button", { name: "Create user" }).first().click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Username").fill("e2e.analyst");
      await dialog.getByLabel("First name").fill("Ada");
      await dialog.getByLabel("Last name").fill("Again");
      await dialog.getByLabel("E-mail").fill("ada.again@example.com");
      await dialog.getByLabel("Initial password").fill("s3cret-pass");
      await dialog.getByRole("button", { name: "Create user" }).click();
      assert(await visible(dialog.getByText(/already exists/)), "no 'already exists' field error");
      await shot(page, "53-create-user-conflict", { full: false });
      await dialog.getByRole("button", { name: "Cancel" }).click();
    });

    await check("the audit log shows the creation with its before/after", async () => {
      await page.goto(`${base}/audit`);
      await page.getByRole("gridcell", { name: "user.create" }).first().click();
      await page.getByTestId("audit-drawer").waitFor();
      assert(await visible(page.getByTestId("audit-drawer").getByText("e2e.analyst")), "the new user is not in the diff");
      await shot(page, "61-audit-diff", { full: false });
      await page.keyboard.press("Escape");
    });

    await check("an expired session sends the user to login and back to where they were", async () => {
      await freshPage();
      await signIn(page, base, "viewer");
      await page.getByTestId("nav-models").click();
      await page.getByRole("heading", { name: "Models", exact: true }).waitFor();
      // the server no longer accepts the tokens (as after a key rotation or a revoked refresh)
      await page.evaluate(() => {
        const session = JSON.parse(sessionStorage.getItem("modelhub.session"));
        session.accessToken = "expired.token.value";
        session.refreshToken = "revoked.refresh.value";
        sessionStorage.setItem("modelhub.session", JSON.stringify(session));
      });
      await page.reload();
      await page.waitForURL(/\/login\?next=%2Fmodels/);
      await page.getByLabel("Username").fill("viewer");
      await page.getByLabel("Password").fill("password123");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${base}/models`);
      await page.getByRole("heading", { name: "Models", exact: true }).waitFor();
    });

    await check("signing out returns to the login page", async () => {
      await page.getByRole("button", { name: "account menu" }).click();
      await page.getByRole("menuitem", { name: "Sign out" }).click();
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      await page.goto(`${base}/`);
      await page.waitForURL(/\/login/);
    });

    await check("no uncaught error in the pages", async () => {
      assert(consoleErrors.length === 0, consoleErrors.join("\n"));
    });

    if (oidc)
      await check("OIDC: sign in through Keycloak's login page (authorization code + PKCE), see name and role, sign out", async () => {
        const { base: app, issuer } = await oidc.ready();
        await freshPage();
        await page.goto(`${app}/models`);
        await page.waitForURL(/\/login/);
        await page.getByRole("button", { name: "Sign in with single sign-on" }).click();
        await page.waitForURL((url) => url.href.startsWith(`${issuer}/protocol/openid-connect/auth`));
        const authorize = new URL(page.url()).searchParams;
        assert(authorize.get("response_type") === "code" && authorize.get("code_challenge_method") === "S256" && authorize.get("code_challenge"), `not code + PKCE: ${page.url()}`);
        await page.locator("#username").fill("datascientist");
        await page.locator("#password").fill("password123");
        await shot(page, "90-keycloak-login", { full: false });
        await page.locator("#kc-login").click();
        await page.waitForURL(`${app}/models`, { timeout: 30000 });
        await page.getByTestId("current-user").filter({ hasText: "datascientist" }).waitFor();
        await page.getByText("data scientist", { exact: true }).first().waitFor();
        await page.getByRole("heading", { name: "Models", exact: true }).waitFor();
        await page.getByRole("button", { name: "account menu" }).click();
        await page.getByText(/Dana Scientist/).first().waitFor();
        await shot(page, "91-oidc-signed-in", { full: false });
        await page.getByRole("menuitem", { name: "Sign out" }).click();
        await page.waitForURL((url) => url.href.startsWith(`${app}/login`), { timeout: 30000 });
        await page.getByRole("button", { name: "Sign in with single sign-on" }).waitFor();
        // the Keycloak session ended too: signing in again asks for the password
        await page.getByRole("button", { name: "Sign in with single sign-on" }).click();
        await page.locator("#username").waitFor();
      });
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
    await Promise.allSettled([backend.stop(), oidc?.stop()]);
  }
  console.log(`\nscreenshots in ${shots}`);
  if (failures.length) console.log(`failed: ${failures.join("; ")}`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  console.log(`e2e: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
