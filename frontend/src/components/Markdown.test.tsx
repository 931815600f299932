import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderAs } from "../test/utils";
import { Markdown } from "./Markdown";

describe("Markdown preview", () => {
  it("renders headings, emphasis, lists and safe links, and never raw HTML", () => {
    renderAs(
      "viewer",
      <Markdown source={"# Title\n\nSome **bold** and `code`.\n\n- one\n- two\n\n[docs](https://example.org) [bad](javascript:alert(1))\n\n<img src=x onerror=alert(1)>"} />,
    );
    expect(screen.getByRole("heading", { name: "Title" })).toBeInTheDocument();
    expect(screen.getByText("bold").tagName).toBe("STRONG");
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
    expect(screen.getByRole("link", { name: "docs" })).toHaveAttribute("href", "https://example.org");
    expect(screen.queryByRole("link", { name: "bad" })).not.toBeInTheDocument();
    expect(document.querySelector("img")).toBeNull();
    expect(screen.getByText(/<img src=x/)).toBeInTheDocument();
  });

  it("renders GitHub tables (the demo catalog's documentation has them) and images as their text", () => {
    renderAs("viewer", <Markdown source={"| metric | value |\n|---|---:|\n| accuracy | 0.875 |\n| f1 | 0.84 |\n\n![a chart](https://example.org/x.png)"} />);
    const table = screen.getByRole("table");
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    expect(within(table).getByRole("columnheader", { name: "metric" })).toBeInTheDocument();
    expect(within(table).getByRole("cell", { name: "0.875" })).toHaveStyle({ textAlign: "right" });
    expect(document.querySelector("img")).toBeNull();
    expect(screen.getByText("a chart")).toBeInTheDocument();
  });
});
