import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { end as endBuiltinSession } from "../auth/builtinSession";

afterEach(() => {
  cleanup();
  endBuiltinSession(); // tokens in memory and the refresh timer
  sessionStorage.clear();
});
