// POST /quotes/{id}/revisions — typed by hand until the functions' OpenAPI document has it.
// TODO(schema): replace ReviseResponse with Schemas["..."] from schema.d.ts once the
// revisions POST endpoint is in the OpenAPI document (make web-api-types), and delete this.
import { call, type EstimateResponse } from "./client";

/** The answer of POST /quotes/{id}/revisions: POST /estimate's answer plus the revision. */
export type ReviseResponse = EstimateResponse & {
  /** the new revision's label, e.g. "R1" */
  revision: string;
  /** the catalog the new revision was priced with, when it is not the previous one's */
  catalog_changed: { from: string; to: string } | null;
};

/** Issue a revision of a quote (the latest one) from a panel request. */
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
