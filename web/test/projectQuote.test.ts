import { describe, expect, it } from "vitest";
import { boxLabel, isProjectBody, isProjectQuote, panelEvidence } from "../src/projectQuote";
import type { QuoteResponse } from "../src/api/client";

describe("project quotes", () => {
  it("tells a project quote from a panel quote", () => {
    expect(isProjectQuote({ kind: "project" } as unknown as QuoteResponse)).toBe(true);
    expect(isProjectQuote({ cover: {} } as unknown as QuoteResponse)).toBe(false);
  });

  it("finds a panel's output and drawing among the evidence by position", () => {
    const evidence = [
      { stage: "input", url: "u/in" },
      { stage: "p0_output", url: "u/p0o" },
      { stage: "p1_output", url: "u/p1o" },
      { stage: "p1_drawing", url: "u/p1d" },
      { stage: "p10_output", url: "u/p10o" },
    ];
    expect(panelEvidence(evidence, 1)).toEqual({ output: "u/p1o", drawing: "u/p1d" });
    expect(panelEvidence(evidence, 0)).toEqual({ output: "u/p0o", drawing: null });
    expect(panelEvidence(evidence, 10).output).toBe("u/p10o");
    expect(panelEvidence(evidence, 2)).toEqual({ output: null, drawing: null });
  });

  it("labels the box of a loaded panel", () => {
    expect(boxLabel({ enclosure: { box: { model: "HDS 80 140 25", w: 800, h: 1400, d: 250 } } })).toBe("HDS 80 140 25 (800 × 1400 × 250 mm)");
    expect(boxLabel(null)).toBeNull();
    expect(boxLabel({})).toBeNull();
  });

  it("recognises a project body", () => {
    expect(isProjectBody({ project: {}, panels: [] })).toBe(true);
    expect(isProjectBody({ main: {}, branches: [] })).toBe(false);
    expect(isProjectBody(null)).toBe(false);
  });
});
