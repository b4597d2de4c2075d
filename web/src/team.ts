// Review and revision helpers of the quote page (pure, tested by vitest).
import { formatKRW } from "./format";
import type { TextKey } from "./i18n";

/** What a refused review means to the user: 403 (the creator or an estimator), 409 (not in review). */
export function reviewErrorKey(status: number): TextKey | null {
  if (status === 403) return "review_forbidden";
  if (status === 409) return "review_not_in_review";
  return null;
}

/** A totals delta in won with its sign: 1200 → "+₩1,200", -50 → "-₩50", 0 → "₩0". */
export function signedDelta(v: number): string {
  return v > 0 ? `+${formatKRW(v)}` : formatKRW(v);
}

/** A request field's value in the diff: absent → "—", objects as JSON. */
export function diffValue(v: unknown): string {
  if (v === undefined || v === null) return "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
