import type { AnchorHTMLAttributes, ReactNode } from "react";
import { ApiFailure } from "../api/client";
import { errorMessage, useLang, useT, type TextKey } from "../i18n";
import { followsInApp, navigate } from "../router";

/** A link to a page of the app: a real address (open it in a new tab, copy it), followed
 * without a reload on a plain click. */
export function AppLink({
  to,
  children,
  ...rest
}: { to: string; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href" | "onClick">) {
  return (
    <a
      {...rest}
      href={to}
      onClick={(e) => {
        if (!followsInApp(e)) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

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
      {t("revise_of")} <AppLink to={href}>{t("revise_back")}</AppLink>
    </p>
  );
}
