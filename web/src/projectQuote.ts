// A stored project quote as the quote page shows it: the summary answers the panels ×qty
// and their amounts; each panel's box, lines, phases and lint are in its own evidence
// (p{i}_output, written by the engine for panel i) and its drawing is p{i}_drawing.
import type { QuoteResponse } from "./api/client";

type Dict = Record<string, unknown>;

export interface EvidenceRef {
  stage: string;
  url: string;
}

export function isProjectQuote(quote: QuoteResponse): quote is Extract<QuoteResponse, { kind: "project" }> {
  return (quote as { kind?: unknown }).kind === "project";
}

/** Panel ``index``'s output and drawing URLs among a project quote's evidence (null when absent). */
export function panelEvidence(evidence: EvidenceRef[], index: number): { output: string | null; drawing: string | null } {
  const url = (stage: string) => evidence.find((e) => e.stage === `p${index}_${stage}`)?.url ?? null;
  return { output: url("output"), drawing: url("drawing") };
}

/** A panel's box as "model (w × h × d mm)" from its output, or null before it is loaded. */
export function boxLabel(output: Dict | null | undefined): string | null {
  const box = ((output?.enclosure as Dict | undefined)?.box ?? null) as Dict | null;
  if (!box) return null;
  return `${String(box.model)} (${String(box.w)} × ${String(box.h)} × ${String(box.d)} mm)`;
}

/** Whether a stored request is a project body (the editor that revises or copies it). */
export function isProjectBody(request: unknown): boolean {
  return typeof request === "object" && request !== null && Array.isArray((request as Dict).panels);
}
