#!/usr/bin/env node
/* global document */
// End-to-end checks of the web UI in Debian's Chromium (headless) through playwright-core, against a
// real backend that this script starts (`modelhub serve` in embedded mode, temporary data dir, free
// port, serving frontend/dist) unless
// E2E_BASE_URL points at one already running. Screenshots of every main page go to
// <repo>/test-artifacts/screenshots/. Ends with "N passed, N failed"; exits 1 on any failure.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const shots = join(repo, "test-artifacts", "screenshots");
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

async function startBackend() {
  if (process.env.E2E_BASE_URL) return { base: process.env.E2E_BASE_URL.replace(/\/$/, ""), stop: async () => {} };
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "modelhub-e2e-"));
  const base = `http://127.0.0.1:${port}`;
  const webDir = join(repo, "frontend", "dist");
  if (!existsSync(join(webDir, "index.html"))) throw new Error("frontend/dist is missing: run `npm run build` first");
  // `modelhub serve` from the cached venv (what `make run` starts), embedded mode, its own port and
  // data dir; detached = its own process group, stopped as a whole
  const child = spawn(
    "bash",
    ["-c", 'source scripts/lib.sh && ensure_app_env dev && exec modelhub serve --host 127.0.0.1 --port "$E2E_PORT"'],
    {
      cwd: repo,
      env: { ...process.env, E2E_PORT: String(port), MODELHUB_DATA_DIR: dataDir, MODELHUB_WEB_DIR: webDir, MODELHUB_DEMO_USERS: "true", MODELHUB_ORCHESTRATOR_SYNC_INTERVAL_S: "0", MODELHUB_DAGS_DIR: join(dataDir, "dags") },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  try {
    await waitForHealth(base, child);
  } catch (error) {
    console.log(log.slice(-4000));
    throw error;
  }
  const stop = async () => {
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      for (let i = 0; i < 50 && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 200));
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { base, stop };
}

/** Registry content through the API, so the catalog and its screenshots show something real. */
async function seed(base) {
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
        input_schema: i === 0 ? { type: "object", properties: { tenure: { type: "integer" }, plan: { type: "string" }, monthly_spend: { type: "number" } } } : undefined,
      }),
    });
    if (response.status === 404) return null; // no registry API on this server yet
    if (!response.ok) throw new Error(`seeding ${name}: ${response.status} ${await response.text()}`);
    const model = await response.json();
    first ??= model;
  }
  for (const [v, metrics] of [{ auc: 0.81, f1: 0.72 }, { auc: 0.84, f1: 0.75 }].entries()) {
    const body = new FormData();
    body.set("file", new Blob([`model bytes ${v}`]), `churn-${v + 1}.bin`);
    body.set("format", "other");
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
  data.set("file", new Blob(["tenure,plan,monthly_spend\n12,pro,42.5\n3,basic,9.9\n"], { type: "text/csv" }), "customers.csv");
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
    const model = await seed(base);
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
        const deploy = await page.getByRole("button", { name: "New deployment" }).count();
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

    await check("admin creates a user through the dialog and finds it in the list", async () => {
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
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
    await backend.stop();
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
