import { describe, expect, it } from "vitest";
import { buildProject, copyPanel, emptyProject, failingPanels, nextName, panelDetails, placeDetail, projectFromBody } from "../src/project";
import { buildRequest, emptyForm } from "../src/request";
import { listQuery, NO_FILTERS } from "../src/pages/QuotesPage";

describe("project editor", () => {
  it("builds a project body: the project's customer, panels ×qty without their own customer", () => {
    const p = emptyProject();
    p.customer = " 한빛건설 ";
    p.name = "한빛타워";
    p.panels[0].qty = "3";
    p.panels[0].form.customer.name = "ignored";
    const body = buildProject(p) as { project: unknown; panels: Array<Record<string, unknown>> };
    expect(body.project).toEqual({ customer: { name: "한빛건설" }, name: "한빛타워" });
    expect(body.panels[0].name).toBe("LP-1");
    expect(body.panels[0].qty).toBe(3);
    expect(body.panels[0].request).not.toHaveProperty("customer");
  });

  it("sends a quantity that is not a number as typed, for the API to name", () => {
    const p = emptyProject();
    p.panels[0].qty = "three";
    expect((buildProject(p) as { panels: Array<{ qty: unknown }> }).panels[0].qty).toBe("three");
  });

  it("copies a panel under the next free name with its own form", () => {
    const p = emptyProject();
    p.panels[0].form.main.at = "75";
    const panels = copyPanel(p.panels, 0);
    expect(panels.map((x) => x.name)).toEqual(["LP-1", "LP-2"]);
    expect(buildRequest(panels[1].form)).toEqual(buildRequest(panels[0].form));
    panels[1].form.main.at = "100";
    expect(panels[0].form.main.at).toBe("75");
    expect(nextName(panels, "LP-1")).toBe("LP-3");
    expect(nextName(panels, "MDP")).toBe("MDP-1");
  });

  it("reads a project body back into the editor", () => {
    const body = { project: { customer: { name: "A" }, name: "B", number: "7" }, panels: [{ name: "PP-1", qty: 2, request: buildRequest(emptyForm()) }] };
    const p = projectFromBody(body);
    expect([p.customer, p.name, p.number, p.panels[0].name, p.panels[0].qty]).toEqual(["A", "B", "7", "PP-1", "2"]);
  });

  it("places each error detail at its panel and field", () => {
    const details = [
      { loc: "panels.3.request.branches.1.at", msg: "x" },
      { loc: "panels.1.qty", msg: "y" },
      { loc: "panels.2.request", msg: "z" },
      { loc: "project.name", msg: "w" },
    ];
    expect(placeDetail(details[0])).toMatchObject({ panel: 3, field: "branches.1.at" });
    expect(placeDetail(details[1])).toMatchObject({ panel: 1, field: "entry.qty" });
    expect(placeDetail(details[3])).toMatchObject({ panel: null, field: "project.name" });
    expect(panelDetails(details, 3)).toEqual([{ loc: "branches.1.at", msg: "x" }]);
    expect(panelDetails(details, 1)).toEqual([]);
    expect([...failingPanels(details)].sort()).toEqual([1, 2, 3]);
  });
});

describe("quote list query", () => {
  it("leaves empty filters out and trims the search text", () => {
    expect(listQuery(NO_FILTERS, 0)).toEqual({ limit: 20, offset: 0, q: undefined, status: undefined, from: undefined, to: undefined });
    expect(listQuery({ q: "  한빛 ", status: "issued", from: "2026-04-01", to: "" }, 40)).toEqual({
      limit: 20,
      offset: 40,
      q: "한빛",
      status: "issued",
      from: "2026-04-01",
      to: undefined,
    });
  });
});
