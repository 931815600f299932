import { useState } from "react";
import { fireEvent, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderAs } from "../test/utils";
import { ParamsForm } from "./ParamsForm";
import type { Params } from "./params";

const SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    id_column: { anyOf: [{ type: "string", minLength: 1 }, { type: "null" }], default: "id", description: "row id" },
    include_probabilities: { type: "boolean", default: false },
    batch_size: { type: "integer", minimum: 1, maximum: 1000000, default: 50000 },
  },
};

function Harness({ onChange, serverErrors }: { onChange: (p: Params) => void; serverErrors?: Record<string, string> }) {
  const [value, setValue] = useState<Params>({});
  return (
    <ParamsForm
      schema={SCHEMA}
      value={value}
      serverErrors={serverErrors}
      onChange={(p) => {
        setValue(p);
        onChange(p);
      }}
    />
  );
}

describe("params form generated from a JSON Schema", () => {
  it("renders one field per parameter, sends only what is set, and checks the schema", async () => {
    const onChange = vi.fn();
    renderAs("data_scientist", <Harness onChange={onChange} />);
    expect(screen.getByLabelText("Id column")).toHaveAttribute("placeholder", "id");
    fireEvent.change(screen.getByLabelText("Batch size"), { target: { value: "0" } });
    expect(onChange).toHaveBeenLastCalledWith({ batch_size: 0 });
    expect(screen.getByText("must be at least 1")).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText("Batch size"), { target: { value: "" } });
    expect(onChange).toHaveBeenLastCalledWith({});
    await userEvent.click(screen.getByLabelText("Include probabilities"));
    expect(onChange).toHaveBeenLastCalledWith({ include_probabilities: true });
  });

  it("has a JSON view validated against the same schema, and shows the server's field errors", async () => {
    const { unmount } = renderAs("data_scientist", <Harness onChange={vi.fn()} serverErrors={{ batch_size: "1000001 is greater than the maximum of 1000000" }} />);
    expect(screen.getByText("1000001 is greater than the maximum of 1000000")).toBeInTheDocument();
    unmount();
    renderAs("data_scientist", <Harness onChange={vi.fn()} />);
    await userEvent.click(screen.getByRole("button", { name: "JSON" }));
    fireEvent.change(screen.getByLabelText("Parameters (JSON)"), { target: { value: '{"colour": "red"}' } });
    expect(screen.getByText(/colour: is not a known parameter/)).toBeInTheDocument();
  });

  it("without a schema offers a JSON editor and says the server checks", () => {
    renderAs("data_scientist", <ParamsForm schema={null} value={{}} onChange={vi.fn()} />);
    expect(screen.getByText(/publishes no parameter schema/)).toBeInTheDocument();
    expect(screen.getByLabelText("Parameters (JSON)")).toBeInTheDocument();
  });
});
