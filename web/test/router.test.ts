import { describe, expect, it } from "vitest";
import { followsInApp, route } from "../src/router";

const click = { button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, defaultPrevented: false };

describe("in-app links", () => {
  it("follow a plain left click in the app", () => {
    expect(followsInApp(click)).toBe(true);
  });
  it("leave a click with a modifier, another button or already handled to the browser", () => {
    for (const other of [
      { metaKey: true },
      { ctrlKey: true },
      { shiftKey: true },
      { altKey: true },
      { button: 1 },
      { defaultPrevented: true },
    ]) {
      expect(followsInApp({ ...click, ...other })).toBe(false);
    }
  });
  it("route the paths the links name", () => {
    expect(route("/quotes/abc")).toEqual({ page: "quote", id: "abc" });
    expect(route("/quotes")).toEqual({ page: "quotes" });
  });
});
