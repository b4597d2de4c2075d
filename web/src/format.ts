// Number and date formatting, the same in every browser (no locale data needed).

/** 515240 → "₩515,240"; negative amounts keep their sign after the symbol. */
export function formatKRW(amount: number | null | undefined): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return "—";
  const sign = amount < 0 ? "-" : "";
  return `${sign}₩${groupThousands(Math.round(Math.abs(amount)))}`;
}

/** 1234567.891 → "1,234,567.891": only the integer part is grouped. */
export function groupThousands(n: number): string {
  const [int, frac] = String(n).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** A ratio as a percentage: 0.0123 → "1.23%"; null (no base) → "—". */
export function formatPercent(ratio: number | null | undefined, digits = 2): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "—";
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** Amperes with at most one decimal: 140 → "140 A", 12.25 → "12.3 A". */
export function formatAmps(a: number | null | undefined): string {
  if (a === null || a === undefined || !Number.isFinite(a)) return "—";
  const rounded = Math.round(a * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} A`;
}

/** "2026-01-01T09:30:00Z" → "2026-01-01 09:30 UTC" (the API's times are UTC). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

export function shortHash(sha: string | null | undefined, n = 12): string {
  return sha ? sha.slice(0, n) : "—";
}
