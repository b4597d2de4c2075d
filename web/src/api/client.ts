// The functions API: one fetch wrapper, the error shape as an exception, the types
// generated from the functions' OpenAPI document (schema.d.ts, checked for drift).
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type EstimateResponse = Schemas["EstimateResponse"];
export type ProjectEstimateResponse = Schemas["ProjectEstimateResponse"];
/** What GET /quotes/{id} answers: a panel quote or a project quote (kind: "project"). */
export type QuoteResponse = EstimateResponse | ProjectEstimateResponse;
export type PreviewResponse = Schemas["PreviewResponse"];
export type QuoteList = Schemas["QuoteList"];
export type QuoteSummary = Schemas["QuoteSummary"];
export type EvidenceList = Schemas["EvidenceList"];
export type ClientConfig = Schemas["ClientConfig"];
export type DevTokenOut = Schemas["DevTokenOut"];
export type CatalogVersionOut = Schemas["CatalogVersionOut"];
export type CatalogVersionList = Schemas["CatalogVersionList"];
export type CatalogImportOut = Schemas["CatalogImportOut"];
export type CatalogValidationOut = Schemas["CatalogValidationOut"];
export type CatalogActivationOut = Schemas["CatalogActivationOut"];
export type DocumentList = Schemas["DocumentList"];
export type DocumentLink = Schemas["DocumentLink"];
export type Organisation = Schemas["Organisation"];
export type OrganisationList = Schemas["OrganisationList"];
export type Member = Schemas["Member"];
export type MemberList = Schemas["MemberList"];
export type ReviewEntry = Schemas["ReviewEntry"];
export type ReviewHistory = Schemas["ReviewHistory"];
export type ReviewResult = Schemas["ReviewResult"];
export type Revision = Schemas["Revision"];
export type RevisionList = Schemas["RevisionList"];
export type RevisionDiff = Schemas["RevisionDiff"];
export type ApiPath = keyof paths;

const env = import.meta.env;

/** Where the functions are: VITE_FUNCTIONS_URL at build time, else this origin. */
export function functionsUrl(): string {
  const configured = (env?.VITE_FUNCTIONS_URL as string | undefined)?.replace(/\/$/, "");
  return configured || `${globalThis.location?.origin ?? ""}/functions/v1`;
}

export interface ErrorBody {
  code: string;
  message: string;
  details: Array<Record<string, unknown>>;
  traceId?: string;
}

/** An answer in the API's error shape (or NETWORK when there was no answer). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
  get code(): string {
    return this.body.code;
  }
  /** Worth retrying with the same Idempotency-Key: no answer, in flight, or unavailable
   * (another 409, e.g. revising a revision that is not the latest, is final). */
  get retryable(): boolean {
    return this.status === 0 || this.code === "IDEMPOTENCY_IN_FLIGHT" || this.status >= 500;
  }
}

let token: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setToken(value: string | null): void {
  token = value;
}

export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

type PathOf<P extends string> = P extends `/functions/v1/${infer R}` ? R : never;
export type FunctionPath = PathOf<ApiPath>;

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  query?: Record<string, string | number | boolean | undefined>;
}

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export async function call<T>(method: Method, path: string, options: CallOptions = {}): Promise<T> {
  const url = new URL(`${functionsUrl()}/${path.replace(/^\//, "")}`, globalThis.location?.href);
  for (const [k, v] of Object.entries(options.query ?? {})) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiFailure(0, { code: "NETWORK", message: String(err), details: [] });
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const error = (data as { error?: ErrorBody } | null)?.error;
    const body: ErrorBody = error ?? { code: statusCode(res.status), message: text.slice(0, 200), details: [] };
    if (res.status === 401 && onUnauthorized) onUnauthorized();
    throw new ApiFailure(res.status, body);
  }
  return data as T;
}

function statusCode(status: number): string {
  if (status === 404) return "NOT_FOUND";
  if (status === 401) return "UNAUTHORIZED";
  if (status >= 500) return "INTERNAL";
  return "BAD_REQUEST";
}

/** A fresh Idempotency-Key for one issue attempt. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c && "randomUUID" in c) return `web-${c.randomUUID()}`;
  return `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
