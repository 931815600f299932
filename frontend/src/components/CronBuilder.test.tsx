import { useState } from "react";
import { fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderAs } from "../test/utils";
import { CronBuilder, type ScheduleValue } from "./CronBuilder";

afterEach(() => vi.unstubAllGlobals());

function Harness({ onChange, initial = { schedule: "", timezone: "UTC" } }: { onChange: (v: ScheduleValue) => void; initial?: ScheduleValue }) {
  const [value, setValue] = useState(initial);
  return (
    <CronBuilder
      value={value}
      onChange={(v) => {
        setValue(v);
        onChange(v);
      }}
    />
  );
}

const RUNS = ["2025-06-02T06:00:00+02:00", "2025-06-03T06:00:00+02:00", "2025-06-04T06:00:00+02:00"];

describe("cron builder", () => {
  it("a preset fills the expression, describes it, and shows the server's next runs", async () => {
    const calls = mockFetch(({ url }) =>
      url.pathname === "/api/deployments/schedule-preview"
        ? { body: { schedule: url.searchParams.get("schedule"), cron: url.searchParams.get("schedule"), timezone: "Europe/Paris", next_runs: RUNS } }
        : undefined,
    );
    const onChange = vi.fn();
    renderAs("data_scientist", <Harness onChange={onChange} initial={{ schedule: "", timezone: "Europe/Paris" }} />);
    expect(screen.getByText(/On demand only: runs when someone triggers it/)).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText("Runs"));
    await userEvent.click(screen.getByRole("option", { name: "Every weekday (Mon–Fri)" }));
    expect(onChange).toHaveBeenLastCalledWith({ schedule: "0 6 * * 1-5", timezone: "Europe/Paris" });
    expect(screen.getByText("Every weekday (Monday to Friday) at 06:00")).toBeInTheDocument();
    const list = await screen.findByRole("list", { name: "next runs" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(3);
    const preview = calls.find((c) => c.url.pathname === "/api/deployments/schedule-preview")!;
    expect(preview.url.searchParams.get("timezone")).toBe("Europe/Paris");
  });

  it("a typed expression the presets know switches the builder; a bad one is explained without asking the server", async () => {
    const calls = mockFetch(() => undefined);
    const onChange = vi.fn();
    renderAs("data_scientist", <Harness onChange={onChange} initial={{ schedule: "*/5 * * * *", timezone: "UTC" }} />);
    expect(screen.getByLabelText("Runs")).toHaveTextContent("Custom cron expression");
    fireEvent.change(screen.getByLabelText("Cron expression"), { target: { value: "0 6 * * 1" } });
    expect(screen.getByLabelText("Runs")).toHaveTextContent("Every week");
    expect(screen.getByText("Every Monday at 06:00")).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText("Cron expression"), { target: { value: "0 6 * *" } });
    expect(screen.getAllByText(/has 5 fields/).length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 400));
    expect(calls.filter((c) => c.url.searchParams.get("schedule") === "0 6 * *")).toHaveLength(0);
  });

  it("shows the server's 422 reason", async () => {
    mockFetch(({ url }) =>
      url.pathname === "/api/deployments/schedule-preview"
        ? { status: 422, body: { error: { code: "validation_error", message: "unknown timezone Mars/Olympus", details: { field: "timezone" } } } }
        : undefined,
    );
    renderAs("data_scientist", <Harness onChange={vi.fn()} initial={{ schedule: "0 6 * * *", timezone: "Mars/Olympus" }} />);
    expect(await screen.findByText("unknown timezone Mars/Olympus")).toBeInTheDocument();
  });
});
