// POST /quotes/{id}/revisions, typed from the functions' OpenAPI document.
import { call, type Schemas } from "./client";

/** The answer of POST /quotes/{id}/revisions: POST /estimate's answer (a panel's or a
 * project's) plus the revision. */
export type ReviseResponse = Schemas["RevisionResponse"] | Schemas["ProjectRevisionResponse"];

/** Issue a revision of a quote (the latest one) from a panel or a project request. */
export function reviseQuote(
  quoteId: string,
  request: unknown,
  idempotencyKey: string,
  organisation?: string | null,
): Promise<ReviseResponse> {
  const headers: Record<string, string> = { "Idempotency-Key": idempotencyKey };
  if (organisation) headers["X-Organisation"] = organisation;
  return call<ReviseResponse>("POST", `quotes/${encodeURIComponent(quoteId)}/revisions`, { body: request, headers });
}

/** Where the revise page keeps the request it edits (per quote). */
export function reviseDraftKey(quoteId: string): string {
  return `kis.revise.${quoteId}`;
}
