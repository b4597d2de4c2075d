import type { ReactNode } from "react";
import { ApiFailure } from "../api/client";
import { errorMessage, useLang, useT, type TextKey } from "../i18n";
import { navigate } from "../router";

/** An API error: the Korean (or English) message for its code, and its trace id. */
export function ErrorBox({ error }: { error: unknown }) {
  const lang = useLang();
  const t = useT();
  if (!error) return null;
  const failure = error instanceof ApiFailure ? error : null;
  const code = failure?.code ?? "INTERNAL";
  return (
    <div className="error" role="alert" data-testid="error" data-code={code}>
      <strong>{errorMessage(code, lang)}</strong>
      {failure?.body.traceId && (
        <small>
          {" "}
          ({t("trace")} {failure.body.traceId})
        </small>
      )}
      {!failure && <small> {String((error as Error)?.message ?? error)}</small>}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const t = useT();
  const key = `status_${status}` as TextKey;
  const known = ["issued", "needs_review", "approved", "returned", "rejected"].includes(status);
  return (
    <span className={`badge badge-${status}`} data-testid="status">
      {known ? t(key) : status}
    </span>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="card" aria-labelledby={id ? `${id}-h` : undefined} data-testid={id}>
      <h2 id={id ? `${id}-h` : undefined}>{title}</h2>
      {children}
    </section>
  );
}

/** "A revision of …" with a link back to the quote being revised (panel and project editors). */
export function ReviseOf({ quoteId }: { quoteId: string }) {
  const t = useT();
  const href = `/quotes/${encodeURIComponent(quoteId)}`;
  return (
    <p className="muted" data-testid="revise-of">
      {t("revise_of")}{" "}
      <a
        href={href}
        onClick={(e) => {
          e.preventDefault();
          navigate(href);
        }}
      >
        {t("revise_back")}
      </a>
    </p>
  );
}
