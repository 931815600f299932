import { act, fireEvent, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderAs } from "../../test/utils";
import { MockXhr } from "../../test/xhr";
import { VersionUpload } from "./VersionUpload";
import { formatFromName } from "./versionUpload";

beforeEach(() => {
  MockXhr.install();
  mockFetch(({ url }) => (url.pathname === "/api/datasets" ? { body: { items: [], total: 0, next_cursor: null } } : undefined));
});
afterEach(() => vi.unstubAllGlobals());

function pickFile(name = "model.skops", size = 1000) {
  const file = new File([new Uint8Array(size)], name);
  fireEvent.change(screen.getByTestId("version-file"), { target: { files: [file] } });
}

describe("version upload", () => {
  it("guesses the format from the file name and leaves ambiguous ones to the server", () => {
    expect(formatFromName("m.skops").format).toBe("skops");
    expect(formatFromName("m.ONNX").format).toBe("onnx");
    expect(formatFromName("m.pkl").format).toBeNull();
    expect(formatFromName("weights.bin").format).toBe("other");
  });

  it("shows real progress, and Cancel aborts and says the server kept nothing", async () => {
    const onUploaded = vi.fn();
    renderAs("data_scientist", <VersionUpload modelId="m1" onUploaded={onUploaded} />);
    pickFile("model.skops");
    expect(screen.getByText(/From the name: skops/)).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText("Metrics"), { target: { value: '{"auc": 0.9}' } });
    await userEvent.click(screen.getByRole("button", { name: "Upload version" }));
    const xhr = MockXhr.last();
    expect(xhr.url).toBe("/api/models/m1/versions");
    const form = xhr.body as FormData;
    expect(form.get("format")).toBe("skops");
    expect(form.get("metrics")).toBe('{"auc": 0.9}');
    expect([...form.keys()].at(-1)).toBe("file");
    act(() => xhr.progress(400, 1000));
    expect(await screen.findByText(/40 %/)).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "upload progress" })).toHaveAttribute("aria-valuenow", "40");
    await userEvent.click(screen.getByRole("button", { name: "Cancel upload" }));
    expect(xhr.aborted).toBe(true);
    expect(await screen.findByText(/Upload cancelled: the server kept nothing/)).toBeInTheDocument();
    expect(onUploaded).not.toHaveBeenCalled();
  });

  it("explains a 413 and puts a 422 on its field", async () => {
    renderAs("data_scientist", <VersionUpload modelId="m1" onUploaded={vi.fn()} />);
    pickFile("big.onnx");
    await userEvent.click(screen.getByRole("button", { name: "Upload version" }));
    act(() => MockXhr.last().respond(413, { error: { code: "payload_too_large", message: "the file is larger than 2.0 GB" } }));
    expect(await screen.findByText(/larger than this server accepts/)).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Upload version" }));
    act(() =>
      MockXhr.last().respond(422, {
        error: { code: "validation_error", message: "format: the content is not ONNX", details: { field: "format" } },
      }),
    );
    expect(await screen.findByText(/refused the version/)).toBeInTheDocument();
    expect(screen.getByText("Format: the content is not ONNX")).toBeInTheDocument();
  });

  it("refuses bad metrics before sending anything", async () => {
    renderAs("data_scientist", <VersionUpload modelId="m1" onUploaded={vi.fn()} />);
    pickFile();
    fireEvent.change(screen.getByLabelText("Metrics"), { target: { value: '{"auc": "high"}' } });
    await userEvent.click(screen.getByRole("button", { name: "Upload version" }));
    expect(MockXhr.instances).toHaveLength(0);
    expect(screen.getAllByText(/auc: must be a finite number/).length).toBeGreaterThan(0);
  });
});
