import { describe, expect, it } from "vitest";
import { diffRecords } from "./diff";

describe("diffRecords", () => {
  it("puts changed fields first and marks additions and removals", () => {
    const rows = diffRecords({ roles: ["viewer"], email: "a@x.io", old: 1 }, { roles: ["admin"], email: "a@x.io", added: true });
    expect(rows.map((r) => [r.key, r.change])).toEqual([
      ["roles", "changed"],
      ["added", "added"],
      ["old", "removed"],
      ["email", "same"],
    ]);
  });

  it("treats a creation as all added", () => {
    expect(diffRecords(null, { a: 1 }).map((r) => r.change)).toEqual(["added"]);
  });
});
