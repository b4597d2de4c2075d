import { describe, expect, it } from "vitest";
import { ApiFailure } from "../src/api/client";
import { claimsOf, sessionFromToken } from "../src/auth";
import { attemptAfter, attemptFor } from "../src/request";

function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}.sig`;
}

describe("session from a token", () => {
  it("reads the user's name, including Korean, and the expiry", () => {
    const s = sessionFromToken(jwt({ sub: "u", exp: 2000000000, user_metadata: { name: "김철수" } }), "local");
    expect(s.user).toBe("김철수");
    expect(s.expiresAt).toBe(2000000000);
    expect(s.admin).toBe(false);
  });
  it("is a catalog admin only from app_metadata, never user_metadata", () => {
    expect(sessionFromToken(jwt({ sub: "u", app_metadata: { role: "catalog_admin" } }), "local").admin).toBe(true);
    expect(sessionFromToken(jwt({ sub: "u", user_metadata: { role: "catalog_admin" } }), "local").admin).toBe(false);
  });
  it("reads no claims from a malformed token", () => {
    expect(claimsOf("not-a-jwt")).toEqual({});
  });
});

describe("issue attempts", () => {
  let n = 0;
  const mint = () => `k${++n}`;

  it("reuses the key for a retry of the same body and mints one for another body", () => {
    const first = attemptFor(null, "A", mint);
    expect(attemptFor(first, "A", mint)).toBe(first);
    const other = attemptFor(first, "B", mint);
    expect(other.key).not.toBe(first.key);
  });

  it("keeps the attempt only when the outcome is worth retrying", () => {
    const a = attemptFor(null, "A", mint);
    expect(attemptAfter(a, "retryable")).toBe(a);
    expect(attemptAfter(a, "refused")).toBeNull();
    expect(attemptAfter(a, "stored")).toBeNull();
  });

  it("treats no answer, in flight and unavailable as retryable, a refusal as final", () => {
    const fail = (status: number, code: string) => new ApiFailure(status, { code, message: "", details: [] });
    expect(fail(0, "NETWORK").retryable).toBe(true);
    expect(fail(409, "IDEMPOTENCY_IN_FLIGHT").retryable).toBe(true);
    expect(fail(503, "DEPENDENCY_UNAVAILABLE").retryable).toBe(true);
    expect(fail(422, "VALIDATION_FAILED").retryable).toBe(false);
    expect(fail(409, "CONFLICT").retryable).toBe(false);
  });
});
