import { describe, expect, it } from "vitest";
import { formatAmps, formatDateTime, formatKRW, formatPercent, groupThousands } from "../src/format";

describe("formatKRW", () => {
  it("groups thousands after the won sign", () => {
    expect(formatKRW(515240)).toBe("₩515,240");
    expect(formatKRW(1234567890)).toBe("₩1,234,567,890");
    expect(formatKRW(0)).toBe("₩0");
  });
  it("keeps the sign of a negative amount", () => {
    expect(formatKRW(-1000)).toBe("-₩1,000");
  });
  it("shows a dash for no amount", () => {
    expect(formatKRW(null)).toBe("—");
    expect(formatKRW(Number.NaN)).toBe("—");
  });
  it("groups without a currency too", () => {
    expect(groupThousands(999)).toBe("999");
    expect(groupThousands(1000)).toBe("1,000");
    expect(groupThousands(0.0123)).toBe("0.0123");
    expect(groupThousands(-1234567.891)).toBe("-1,234,567.891");
  });
});

describe("formatPercent", () => {
  it("shows a ratio as a percentage with two decimals", () => {
    expect(formatPercent(0.0123)).toBe("1.23%");
    expect(formatPercent(0)).toBe("0.00%");
    expect(formatPercent(1, 0)).toBe("100%");
  });
  it("shows a dash when the figure has no base (null)", () => {
    expect(formatPercent(null)).toBe("—");
  });
});

describe("formatAmps and formatDateTime", () => {
  it("rounds amps to one decimal and drops .0", () => {
    expect(formatAmps(140)).toBe("140 A");
    expect(formatAmps(12.25)).toBe("12.3 A");
  });
  it("shows the API's UTC times without seconds", () => {
    expect(formatDateTime("2026-01-01T09:30:00Z")).toBe("2026-01-01 09:30 UTC");
    expect(formatDateTime(null)).toBe("—");
  });
});
