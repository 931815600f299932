import { describe, expect, it } from "vitest";
import { safeReturnTo } from "./context";
import { fromResponse, refreshDelay } from "./tokenStore";

describe("silent refresh timing", () => {
  it("refreshes a minute before a 15-minute token expires", () => {
    const tokens = fromResponse({ access_token: "a", token_type: "bearer", expires_in: 900 }, 0);
    expect(refreshDelay(tokens, 0)).toBe(840_000);
  });

  it("refreshes at 80 % of a short lifetime, never sooner than 5 s", () => {
    expect(refreshDelay(fromResponse({ access_token: "a", token_type: "bearer", expires_in: 100 }, 0), 0)).toBe(80_000);
    expect(refreshDelay(fromResponse({ access_token: "a", token_type: "bearer", expires_in: 2 }, 0), 0)).toBe(5_000);
  });
});

describe("safeReturnTo", () => {
  it("only returns inside the app", () => {
    expect(safeReturnTo("/models?q=churn")).toBe("/models?q=churn");
    expect(safeReturnTo("https://evil.example.com")).toBe("/");
    expect(safeReturnTo("//evil.example.com")).toBe("/");
    expect(safeReturnTo("/login?next=/x")).toBe("/");
    expect(safeReturnTo(null)).toBe("/");
  });
});
