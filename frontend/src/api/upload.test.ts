import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MockXhr } from "../test/xhr";
import { ApiError } from "./errors";
import { setTokenSource } from "./session";
import { describeUploadError, isUploadCancelled, uploadForm, type UploadProgress } from "./upload";

beforeEach(() => MockXhr.install());
afterEach(() => {
  vi.unstubAllGlobals();
  setTokenSource(null);
});

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("uploadForm (XMLHttpRequest with progress)", () => {
  it("reports progress and resolves with the JSON answer, with the bearer token", async () => {
    setTokenSource({ accessToken: () => "tok", refresh: async () => false });
    const seen: UploadProgress[] = [];
    const handle = uploadForm<{ version: number }>("/api/models/m/versions", new FormData(), (p) => seen.push(p));
    await flush();
    const xhr = MockXhr.last();
    expect(xhr.method).toBe("POST");
    expect(xhr.headers.Authorization).toBe("Bearer tok");
    xhr.progress(25, 100);
    xhr.progress(100, 100);
    xhr.respond(201, { version: 3 });
    await expect(handle.promise).resolves.toEqual({ version: 3 });
    expect(seen.map((p) => p.percent)).toEqual([25, 100]);
  });

  it("abort() rejects with UploadCancelled and says nothing was stored", async () => {
    const handle = uploadForm("/api/models/m/versions", new FormData());
    await flush();
    MockXhr.last().progress(10, 100);
    handle.abort();
    const error = await handle.promise.catch((e) => e);
    expect(isUploadCancelled(error)).toBe(true);
    expect(MockXhr.last().aborted).toBe(true);
    expect(describeUploadError(error)).toMatch(/nothing was stored/i);
  });

  it("turns 413 and 422 into ApiErrors explained to the user", async () => {
    const handle = uploadForm("/x", new FormData());
    await flush();
    MockXhr.last().respond(413, { error: { code: "payload_too_large", message: "the file is over 2 GB", details: { field: "file" } } });
    const error = (await handle.promise.catch((e) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(413);
    expect(describeUploadError(error)).toMatch(/larger than this server accepts.*Nothing was stored/);

    const bad = uploadForm("/x", new FormData());
    await flush();
    MockXhr.last().respond(422, { error: { code: "validation_error", message: "metrics: metric 'auc' must be a finite number", details: [{ field: "metrics", message: "metric 'auc' must be a finite number" }] } });
    const invalid = (await bad.promise.catch((e) => e)) as ApiError;
    expect(invalid.fieldErrors()).toEqual({ metrics: "Metric 'auc' must be a finite number" });
    expect(describeUploadError(invalid)).toMatch(/refused the version/);
  });

  it("refreshes the token once on 401 and sends again", async () => {
    let token = "old";
    setTokenSource({ accessToken: () => token, refresh: async () => ((token = "new"), true) });
    const handle = uploadForm<{ ok: boolean }>("/x", new FormData());
    await flush();
    MockXhr.last().respond(401, { error: { code: "unauthorized", message: "expired" } });
    await flush();
    await flush();
    expect(MockXhr.instances).toHaveLength(2);
    expect(MockXhr.last().headers.Authorization).toBe("Bearer new");
    MockXhr.last().respond(201, { ok: true });
    await expect(handle.promise).resolves.toEqual({ ok: true });
  });
});
