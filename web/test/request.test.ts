import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buildRequest,
  copyRow,
  deleteRow,
  emptyBranch,
  emptyForm,
  fieldId,
  fieldsForDetails,
  formFromRequest,
  knownField,
  locPath,
  moveRow,
  numberOrText,
  phaseChoices,
} from "../src/request";

const apartment = JSON.parse(readFileSync(new URL("../../examples/apartment_sangdo.json", import.meta.url), "utf-8"));

describe("request building", () => {
  it("round-trips the sample apartment request through the form unchanged", () => {
    const built = buildRequest(formFromRequest(apartment));
    expect(built).toEqual({ ...apartment, main: { ...apartment.main } });
  });

  it("sends numbers for numeric text and the raw text otherwise, so the API names the field", () => {
    expect(numberOrText(" 75 ")).toBe(75);
    expect(numberOrText("7.5")).toBe(7.5);
    expect(numberOrText("75A")).toBe("75A");
    const f = emptyForm();
    f.main = { model: "", af: "100", at: "abc", poles: "4P", type: "" };
    const req = buildRequest(f) as { main: Record<string, unknown> };
    expect(req.main).toEqual({ af: 100, at: "abc", poles: "4P" });
  });

  it("marks a spare circuit with load_a 0 and leaves an empty load to the rating", () => {
    const f = emptyForm();
    f.branches = [
      { ...emptyBranch(), at: "20", qty: "2", spare: true, load_a: "15" },
      { ...emptyBranch(), at: "30", qty: "1" },
    ];
    const req = buildRequest(f) as { branches: Array<Record<string, unknown>> };
    expect(req.branches[0].load_a).toBe(0);
    expect("load_a" in req.branches[1]).toBe(false);
  });

  it("reads a spare back from load_a 0", () => {
    const f = formFromRequest({ ...apartment, branches: [{ at: 20, poles: 2, qty: 1, load_a: 0 }] });
    expect(f.branches[0].spare).toBe(true);
    expect(f.branches[0].poles).toBe("2P");
  });

  it("sends accessories only when enabled and leaves out an empty customer", () => {
    const f = emptyForm();
    f.accessories = [{ id: "a", kind: "magnet", model: "MC-22", qty: "1" }];
    expect((buildRequest(f) as { accessories: unknown }).accessories).toEqual({ enabled: false, items: [] });
    f.accessoriesEnabled = true;
    expect((buildRequest(f) as { accessories: unknown }).accessories).toEqual({
      enabled: true,
      items: [{ kind: "magnet", model: "MC-22", qty: 1 }],
    });
    expect("customer" in buildRequest(f)).toBe(false);
  });

  it("refuses a JSON document that is not a request object", () => {
    expect(() => formFromRequest([1, 2])).toThrow();
    expect(() => formFromRequest(null)).toThrow();
  });
});

describe("branch rows", () => {
  const rows = ["a", "b", "c"].map((label) => ({ ...emptyBranch(), label }));
  it("copies a row right below itself with a new id", () => {
    const out = copyRow(rows, 0);
    expect(out.map((r) => r.label)).toEqual(["a", "a", "b", "c"]);
    expect(out[1].id).not.toBe(out[0].id);
  });
  it("deletes and reorders rows, ignoring moves past the ends", () => {
    expect(deleteRow(rows, 1).map((r) => r.label)).toEqual(["a", "c"]);
    expect(moveRow(rows, 2, -1).map((r) => r.label)).toEqual(["a", "c", "b"]);
    expect(moveRow(rows, 0, -1)).toBe(rows);
    expect(moveRow(rows, 2, 1)).toBe(rows);
  });
  it("offers phases under a 4P main and pairs under a 3P main, only for 2P branches", () => {
    expect(phaseChoices("4P", "2P")).toEqual(["R", "S", "T"]);
    expect(phaseChoices("3P", "2P")).toEqual(["RS", "ST", "TR"]);
    expect(phaseChoices("4P", "4P")).toEqual([]);
    expect(phaseChoices("2P", "2P")).toEqual([]);
  });
});

describe("API error locations to form fields", () => {
  const form = formFromRequest(apartment);
  const known = knownField(form);

  it("reads dotted and list locations", () => {
    expect(locPath("branches.1.at")).toBe("branches.1.at");
    expect(locPath(["body", "branches", 1, "at"])).toBe("branches.1.at");
    expect(locPath(undefined)).toBe("");
  });

  it("puts each detail on its field, a row-level loc on the row, the rest above the form", () => {
    const map = fieldsForDetails(
      [
        { loc: "main.at", msg: "above 1000 A" },
        { loc: "branches.0" },
        { loc: "branches.1.at.extra" },
        { loc: "branches.9.at" },
        { loc: "issued_at" },
      ],
      known,
    );
    expect(map.get("main.at")?.[0].msg).toBe("above 1000 A");
    expect(map.has("branches.0")).toBe(true);
    expect(map.has("branches.1.at")).toBe(true);
    expect(map.get("branches")?.length).toBe(1); // row 9 does not exist: the table
    expect(map.get("")?.length).toBe(1);
  });

  it("names inputs by their field key", () => {
    expect(fieldId("branches.0.at")).toBe("f-branches-0-at");
  });
});
