import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_MESSAGES, TEXT, errorMessage } from "../src/i18n";

// The codes the API can answer: functions/_shared/errors.py STATUS and the engine's errors.
function apiCodes(): string[] {
  const py = readFileSync(new URL("../../functions/_shared/errors.py", import.meta.url), "utf-8");
  const start = py.indexOf("STATUS: dict"); // the table, not a docstring that names it
  const table = py.slice(start, py.indexOf("}", start));
  const engine = readFileSync(new URL("../../estimator_core/errors.py", import.meta.url), "utf-8");
  const codes = [...table.matchAll(/"([A-Z_]+)":/g), ...engine.matchAll(/code = "([A-Z_]+)"/g)].map((m) => m[1]);
  return [...new Set(codes)];
}

describe("error messages", () => {
  it("has a Korean and an English message for every API error code", () => {
    const codes = apiCodes();
    expect(codes.length).toBeGreaterThan(15);
    for (const code of codes) {
      expect(ERROR_MESSAGES[code], code).toBeDefined();
      expect(ERROR_MESSAGES[code].ko).toMatch(/[가-힣]/);
      expect(ERROR_MESSAGES[code].en.length).toBeGreaterThan(3);
    }
  });

  it("falls back to the code for an unknown one", () => {
    expect(errorMessage("SOMETHING_NEW", "ko")).toBe("오류 (SOMETHING_NEW)");
  });

  it("gives every UI text in both languages", () => {
    expect(Object.keys(TEXT.en).sort()).toEqual(Object.keys(TEXT.ko).sort());
    expect(TEXT.ko.issue).toBe("견적 발행");
  });
});
