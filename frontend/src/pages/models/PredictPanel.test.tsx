import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Model } from "../../api/registry";
import { mockFetch, renderAs } from "../../test/utils";
import { PredictPanel } from "./PredictPanel";

afterEach(() => vi.unstubAllGlobals());

const ID = "m".repeat(32);
const SCHEMA = {
  type: "object",
  properties: { tenure: { type: "integer", description: "months" }, monthly_spend: { type: "number" } },
  required: ["tenure", "monthly_spend"],
  additionalProperties: false,
};
const MODEL = {
  id: ID, name: "Churn", framework: "sklearn", task_type: "classification", latest_version: 2, aliases: { champion: 2, challenger: 1 },
  input_schema: SCHEMA, output_schema: { title: "churned", type: "integer", description: "1: the customer leaves" },
} as unknown as Model;
const percentiles = Array.from({ length: 101 }, (_v, i) => i);
const VERSION = (n: number) => ({
  model_id: ID, model_name: "Churn", version: n, format: "skops", size: 10, sha256: "ab".repeat(32), filename: "m.skops", stage: "none",
  aliases: [], lineage: {}, created_at: "2025-01-01T00:00:00Z", created_by: "ds", artifact_path: "",
  reference_stats: { format: 1, rows: 10, columns: { tenure: { type: "numeric", percentiles }, monthly_spend: { type: "numeric", percentiles } } },
});

function server(predict: (url: URL, body: string) => { status?: number; body?: unknown }) {
  return mockFetch(({ method, url, body }) => {
    if (method === "GET" && url.pathname.startsWith(`/api/models/${ID}/versions/`)) return { body: VERSION(Number(url.pathname.split("/").pop())) };
    if (method === "POST" && url.pathname === `/api/models/${ID}/predict`) return predict(url, body);
  });
}

describe("try a prediction", () => {
  it("fills typical values from the training data, predicts with the champion and shows the probabilities", async () => {
    const calls = server(() => ({
      body: { predictions: [1], model_id: ID, model_name: "Churn", model_version: 2, probabilities: [[0.25, 0.75]], classes: [0, 1] },
    }));
    renderAs("business_user", <PredictPanel model={MODEL} versions={[2, 1]} />);
    await userEvent.click(await screen.findByRole("button", { name: "Typical values" }));
    expect(screen.getByLabelText("tenure")).toHaveValue(50);
    expect(screen.getByText("months · typical 50 · 90 % within 5 – 95")).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText("monthly_spend"));
    await userEvent.type(screen.getByLabelText("monthly_spend"), "42.5");
    await userEvent.click(screen.getByRole("button", { name: "Predict" }));

    const result = await screen.findByTestId("prediction-result");
    expect(within(result).getByTestId("prediction-value")).toHaveTextContent("1");
    expect(within(result).getByText("churned")).toBeInTheDocument();
    expect(within(result).getByText(/answered by Churn v2/)).toBeInTheDocument();
    expect(within(result).getByText("75.0 %")).toBeInTheDocument();
    const sent = calls.find((c) => c.method === "POST")!;
    expect(sent.url.searchParams.get("alias")).toBe("champion");
    expect(sent.url.searchParams.get("probabilities")).toBe("true");
    expect(JSON.parse(sent.body)).toEqual({ records: [{ tenure: 50, monthly_spend: 42.5 }] });
  });

  it("asks for missing fields before sending, and shows the server's 422 on the field it names", async () => {
    const calls = server(() => ({
      status: 422,
      body: {
        error: {
          code: "validation_error",
          message: "records[0].tenure 1.5 is not of type 'integer'",
          details: [{ field: "records[0].tenure", record: 0, name: "tenure", message: "1.5 is not of type 'integer'" }],
        },
      },
    }));
    renderAs("data_scientist", <PredictPanel model={MODEL} versions={[2, 1]} />);
    await userEvent.click(await screen.findByRole("button", { name: "Predict" }));
    expect(screen.getAllByText(/^Required/)).toHaveLength(2);
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    // a version picked by hand; the server refuses the value (the form's own check passes numbers)
    await userEvent.click(screen.getByRole("combobox", { name: "Answered by" }));
    await userEvent.click(screen.getByRole("option", { name: "version 1" }));
    await userEvent.type(screen.getByLabelText("tenure"), "3");
    await userEvent.type(screen.getByLabelText("monthly_spend"), "10");
    await userEvent.click(screen.getByRole("button", { name: "Predict" }));
    expect(await screen.findByText("1.5 is not of type 'integer'")).toBeInTheDocument();
    expect(screen.getByTestId("predict-error")).toHaveTextContent("The records do not fit the model");
    expect(calls.find((c) => c.method === "POST")!.url.searchParams.get("version")).toBe("1");
  });

  it("sends a JSON body of several records as written and lists each prediction", async () => {
    const calls = server(() => ({ body: { predictions: [0, 1, 1], model_id: ID, model_name: "Churn", model_version: 2 } }));
    renderAs("business_user", <PredictPanel model={MODEL} versions={[2, 1]} />);
    await userEvent.click(await screen.findByRole("switch", { name: "Probabilities" }));
    await userEvent.click(screen.getByRole("button", { name: "JSON" }));
    const editor = screen.getByLabelText("Request body (JSON)");
    await userEvent.clear(editor);
    const body = { dataframe_split: { columns: ["tenure", "monthly_spend"], data: [[1, 2], [3, 4], [5, 6]] } };
    await userEvent.click(editor);
    await userEvent.paste(JSON.stringify(body));
    await userEvent.click(screen.getByRole("button", { name: "Predict" }));
    const result = await screen.findByTestId("prediction-result");
    expect(within(result).getAllByRole("row")).toHaveLength(4);
    const sent = calls.find((c) => c.method === "POST")!;
    expect(JSON.parse(sent.body)).toEqual(body);
    expect(sent.url.searchParams.get("probabilities")).toBeNull();
  });

  it("explains a version that cannot be loaded", async () => {
    server(() => ({ status: 503, body: { error: { code: "model_unavailable", message: "Churn v2 cannot be loaded", details: { version: 2 } } } }));
    renderAs("business_user", <PredictPanel model={MODEL} versions={[2, 1]} />);
    await userEvent.click(await screen.findByRole("button", { name: "Typical values" }));
    await userEvent.click(screen.getByRole("button", { name: "Predict" }));
    expect(await screen.findByTestId("predict-error")).toHaveTextContent(/cannot be loaded.*Try another version/);
  });

  it("shows the request as curl with the values typed", async () => {
    server(() => ({ body: {} }));
    renderAs("business_user", <PredictPanel model={MODEL} versions={[2, 1]} />);
    await userEvent.type(await screen.findByLabelText("tenure"), "7");
    await userEvent.click(screen.getByText("Call it from code"));
    expect(screen.getByTestId("predict-code")).toHaveTextContent(`/api/models/${ID}/predict?alias=champion&probabilities=true`);
    expect(screen.getByTestId("predict-code")).toHaveTextContent('{"records":[{"tenure":7}]}');
  });
});
