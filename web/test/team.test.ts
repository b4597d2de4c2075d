import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiFailure } from "../src/api/client";
import { reviseDraftKey, reviseQuote } from "../src/api/revise";
import { memberBody } from "../src/members";
import { organisationHeader, pickOrganisation } from "../src/organisation";
import { attemptAfter, attemptFor } from "../src/request";
import { diffValue, reviewErrorKey, signedDelta } from "../src/team";
import { TEXT } from "../src/i18n";

describe("organisations", () => {
  it("keeps the remembered organisation while it is still the user's, else the first", () => {
    expect(pickOrganisation(["a", "b"], "b")).toBe("b");
    expect(pickOrganisation(["a", "b"], "gone")).toBe("a");
    expect(pickOrganisation([], "b")).toBeNull();
  });
  it("sends X-Organisation only when the user has several", () => {
    expect(organisationHeader(1, "a")).toEqual({});
    expect(organisationHeader(2, "a")).toEqual({ "X-Organisation": "a" });
    expect(organisationHeader(2, null)).toEqual({});
  });
  it("adds a member by user id when it is a uuid, else by e-mail", () => {
    expect(memberBody(" 0F8FAD5B-D9CB-469F-A165-70867728950E ", "reviewer")).toEqual({
      user_id: "0f8fad5b-d9cb-469f-a165-70867728950e",
      role: "reviewer",
    });
    expect(memberBody("rita@example.com", "admin")).toEqual({ email: "rita@example.com", role: "admin" });
  });
});

describe("review and diff text", () => {
  it("explains a refused review in Korean", () => {
    expect(TEXT.ko[reviewErrorKey(403)!]).toMatch(/작성자/);
    expect(TEXT.ko[reviewErrorKey(409)!]).toMatch(/검토 대기/);
    expect(reviewErrorKey(422)).toBeNull();
  });
  it("signs a totals delta and shows absent request fields as a dash", () => {
    expect(signedDelta(1200)).toBe("+₩1,200");
    expect(signedDelta(-50)).toBe("-₩50");
    expect(signedDelta(0)).toBe("₩0");
    expect(diffValue(undefined)).toBe("—");
    expect(diffValue({ a: 1 })).toBe('{"a":1}');
    expect(diffValue(75)).toBe("75");
  });
});

// POST /quotes/{id}/revisions is not in this branch's OpenAPI yet: its answers are stubbed
// here with the contract's shapes (the browser test runs it against the real endpoint).
describe("revise", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
  });

  function stubFetch(answers: Array<() => Response | Promise<never>>) {
    const seen: Array<{ url: string; init: RequestInit }> = [];
    vi.stubEnv("VITE_FUNCTIONS_URL", "http://api.test/functions/v1");
    vi.stubGlobal("fetch", (url: URL, init: RequestInit) => {
      seen.push({ url: String(url), init });
      const next = answers.shift();
      if (!next) throw new Error("unexpected request");
      return next();
    });
    return seen;
  }

  const request = { brand: "SANGDO", main: { at: 75 } };
  const answer = { quote_id: "q2", quote_number: "Q-1", revision: "R1", catalog_changed: null };

  it("posts the request with one Idempotency-Key per attempt, reused on retry", async () => {
    const seen = stubFetch([
      () => Promise.reject(new TypeError("connection reset")),
      () => new Response(JSON.stringify(answer), { status: 201 }),
    ]);
    const body = JSON.stringify(request);
    let attempt = attemptFor(null, body, () => "web-k1");
    const first = await reviseQuote("q1", request, attempt.key).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ApiFailure);
    expect((first as ApiFailure).retryable).toBe(true);
    attempt = attemptAfter(attempt, "retryable")!;
    attempt = attemptFor(attempt, body, () => "web-k2");
    const done = await reviseQuote("q1", request, attempt.key);
    expect(done.revision).toBe("R1");
    expect(done.catalog_changed).toBeNull();
    expect(seen.map((s) => s.url)).toEqual([
      "http://api.test/functions/v1/quotes/q1/revisions",
      "http://api.test/functions/v1/quotes/q1/revisions",
    ]);
    const keys = seen.map((s) => (s.init.headers as Record<string, string>)["Idempotency-Key"]);
    expect(keys).toEqual(["web-k1", "web-k1"]);
    expect(seen.every((s) => s.init.method === "POST" && s.init.body === body)).toBe(true);
    expect((seen[0].init.headers as Record<string, string>)["X-Organisation"]).toBeUndefined();
    // the next revision is a new attempt: a new key
    expect(attemptFor(attemptAfter(attempt, "stored"), body, () => "web-k3").key).toBe("web-k3");
  });

  it("sends X-Organisation when given and treats 'not the latest revision' (409) as final", async () => {
    const seen = stubFetch([
      () =>
        new Response(JSON.stringify({ error: { code: "CONFLICT", message: "not the latest revision", details: [] } }), {
          status: 409,
        }),
    ]);
    const err = (await reviseQuote("q1", request, "web-k", "org-1").catch((e: unknown) => e)) as ApiFailure;
    expect(err.status).toBe(409);
    expect(err.code).toBe("CONFLICT");
    expect(err.retryable).toBe(false);
    expect((seen[0].init.headers as Record<string, string>)["X-Organisation"]).toBe("org-1");
  });

  it("keeps a revision's draft apart from the new-request draft", () => {
    expect(reviseDraftKey("q1")).toBe("kis.revise.q1");
  });
});
