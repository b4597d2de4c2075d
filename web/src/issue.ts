// Issuing a quote exactly once: what the request and project pages' issue button does.
import { useCallback, useRef, useState } from "react";
import { ApiFailure, call, newIdempotencyKey } from "./api/client";
import { reviseQuote } from "./api/revise";
import { attemptAfter, attemptFor, type IssueAttempt } from "./request";
import { navigate } from "./router";

export interface Issuing {
  /** Issue `request` (its JSON `text` names the attempt), then open the stored quote. */
  issue: (request: unknown, text: string) => Promise<void>;
  issuing: boolean;
  issueError: unknown;
  clearIssueError: () => void;
  /** The last attempt failed in a way a retry (with the same key) may mend. */
  retryable: boolean;
}

/** Issue a new quote (POST /estimate) or, with `revise` (a quote id), a revision of it.
 * One Idempotency-Key per attempt: kept for a retry of the same body, dropped when the
 * body changes or the quote is stored, so a double click or a lost answer stores one
 * quote. A stored revision drops its draft (`draftKey`). */
export function useIssue(revise: string | undefined, draftKey: string): Issuing {
  const [issueError, setIssueError] = useState<unknown>(null);
  const [issuing, setIssuing] = useState(false);
  const attempt = useRef<IssueAttempt | null>(null);
  const inFlight = useRef(false);

  const issue = async (request: unknown, text: string) => {
    if (inFlight.current) return; // a double click issues one quote
    inFlight.current = true;
    setIssuing(true);
    setIssueError(null);
    const current = attemptFor(attempt.current, text, newIdempotencyKey);
    attempt.current = current;
    try {
      const quote = revise
        ? await reviseQuote(revise, request, current.key)
        : await call<{ quote_id: string }>("POST", "estimate", {
            body: request,
            headers: { "Idempotency-Key": current.key },
          });
      attempt.current = attemptAfter(current, "stored");
      if (revise) localStorage.removeItem(draftKey);
      navigate(`/quotes/${encodeURIComponent(quote.quote_id)}`);
    } catch (err) {
      setIssueError(err);
      const retryable = !(err instanceof ApiFailure) || err.retryable;
      attempt.current = attemptAfter(current, retryable ? "retryable" : "refused");
    } finally {
      inFlight.current = false;
      setIssuing(false);
    }
  };
  const clearIssueError = useCallback(() => setIssueError(null), []);
  const retryable = issueError instanceof ApiFailure && issueError.retryable;
  return { issue, issuing, issueError, clearIssueError, retryable };
}
