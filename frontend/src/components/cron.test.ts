import { describe, expect, it } from "vitest";
import { buildCron, checkCron, describeCron, parseCron, type CronSpec } from "./cron";

const spec = (s: Partial<CronSpec>): CronSpec => ({ frequency: "daily", minute: 0, hour: 6, weekday: 1, day: 1, ...s });

describe("cron builder helpers", () => {
  it.each([
    [spec({ frequency: "hourly", minute: 15 }), "15 * * * *"],
    [spec({ frequency: "daily", hour: 6, minute: 30 }), "30 6 * * *"],
    [spec({ frequency: "weekdays", hour: 7 }), "0 7 * * 1-5"],
    [spec({ frequency: "weekly", weekday: 1 }), "0 6 * * 1"],
    [spec({ frequency: "monthly", day: 15, hour: 2 }), "0 2 15 * *"],
    [spec({ frequency: "none" }), ""],
  ])("builds %o as '%s' and reads it back", (input, expression) => {
    expect(buildCron(input)).toBe(expression);
    if (expression) expect(parseCron(expression).frequency).toBe(input.frequency);
  });

  it("shows expressions the presets cannot as custom", () => {
    expect(parseCron("*/10 * * * *").frequency).toBe("custom");
    expect(parseCron("0 6 * 1 *").frequency).toBe("custom");
    expect(parseCron("@daily")).toMatchObject({ frequency: "daily", hour: 0, minute: 0 });
  });

  it("checks the five fields and the ranges", () => {
    expect(checkCron("0 6 * * 1")).toBeNull();
    expect(checkCron("0 6 * * mon-fri")).toBeNull();
    expect(checkCron("*/5 * * * *")).toBeNull();
    expect(checkCron("0 6 * *")).toMatch(/5 fields/);
    expect(checkCron("61 * * * *")).toMatch(/minute must be between 0 and 59/);
    expect(checkCron("0 25 * * *")).toMatch(/hour/);
    expect(checkCron("@sometimes")).toMatch(/unknown preset/);
  });

  it("describes schedules in words", () => {
    expect(describeCron("")).toMatch(/On demand/);
    expect(describeCron("0 6 * * 1")).toBe("Every Monday at 06:00");
    expect(describeCron("30 7 * * 1-5")).toBe("Every weekday (Monday to Friday) at 07:30");
    expect(describeCron("0 0 1 * *")).toBe("On day 1 of every month at 00:00");
    expect(describeCron("*/15 * * * *")).toBe("Every 15 minutes");
    expect(describeCron("0 */4 * * *")).toBe("Every 4 hours at 0 minutes past");
    expect(describeCron("0 6 * 12 *")).toMatch(/in Dec/);
    expect(describeCron("nonsense")).toBe("Not a valid schedule");
  });
});
