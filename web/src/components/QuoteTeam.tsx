// The quote page's documents, review and revisions sections.
import { useEffect, useState } from "react";
import {
  ApiFailure,
  call,
  type DocumentList,
  type ReviewEntry,
  type ReviewHistory,
  type ReviewResult,
  type RevisionDiff,
  type RevisionList,
  type Schemas,
} from "../api/client";
import { formatDateTime, formatKRW, shortHash } from "../format";
import { useT, type TextKey } from "../i18n";
import { reviewErrorKey, signedDelta, diffValue } from "../team";
import { AppLink, ErrorBox, Section, StatusBadge } from "./common";

/** The state a document set shows, in words (the status badge's words when known). */
function stateName(t: (key: TextKey) => string, state: string): string {
  const known = ["issued", "needs_review", "approved", "returned", "rejected"].includes(state);
  return known ? t(`status_${state}` as TextKey) : state;
}

/** Downloads of xlsx / PDF / SVG / DXF: rendered by the server on the first request. A quote
 * has one document set per rendering (an approval renders a new one); the newest is shown,
 * an older one can be picked (?set=N). */
export function DocumentsSection({ quoteId, status }: { quoteId: string; status?: string }) {
  const t = useT();
  const [docs, setDocs] = useState<DocumentList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [setNo, setSetNo] = useState<number | null>(null); // null: the newest
  useEffect(() => {
    setSetNo(null); // a review renders a new set: show the newest again
  }, [quoteId, status]);
  useEffect(() => {
    const ctl = new AbortController();
    setDocs(null);
    setError(null);
    const query = setNo === null ? undefined : { set: setNo };
    call<DocumentList>("GET", `quotes/${encodeURIComponent(quoteId)}/documents`, { signal: ctl.signal, query }).then(setDocs, (err) => {
      if ((err as Error).name !== "AbortError") setError(err);
    });
    return () => ctl.abort();
  }, [quoteId, status, setNo]);
  return (
    <Section title={t("documents")} id="quote-documents">
      <ErrorBox error={error} />
      {!docs && !error && (
        <p role="status" aria-busy="true" data-testid="documents-loading">
          {t("documents_loading")}
        </p>
      )}
      {docs && (
        <>
          <div className="toolbar">
            <p data-testid="document-set" data-set-no={docs.set_no} data-state={docs.state}>
              {t("doc_set")} {docs.set_no} · {stateName(t, docs.state)}
            </p>
            {docs.sets.length > 1 && (
              <>
                <label htmlFor="doc-set">{t("doc_set_pick")}</label>
                <select id="doc-set" value={docs.set_no} onChange={(e) => setSetNo(Number(e.target.value))}>
                  {docs.sets.map((s) => (
                    <option key={s.set_no} value={s.set_no}>
                      {t("doc_set_option")} {s.set_no} · {stateName(t, s.state)}
                    </option>
                  ))}
                </select>
              </>
            )}
          </div>
          <ul className="downloads">
            {docs.items.map((d) => (
              <li key={d.kind}>
                <a
                  href={d.url}
                  download={d.filename}
                  data-testid={`download-${d.kind}`}
                  data-sha256={d.sha256}
                  className="button"
                >
                  {t(`doc_${d.kind}` as TextKey)}
                </a>{" "}
                <small className="muted">
                  {d.filename} · {Math.ceil(d.size / 1024)} KB · <span className="mono">{shortHash(d.sha256, 16)}</span>
                </small>
              </li>
            ))}
          </ul>
        </>
      )}
    </Section>
  );
}

/** Approve or return a quote in review with a reason; the decisions so far (read back
 * from GET /quotes/{id}/reviews, so they are there after a reload). */
export function ReviewSection({
  quoteId,
  status,
  onStatus,
}: {
  quoteId: string;
  status: string;
  onStatus: (status: string) => void;
}) {
  const t = useT();
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [reviews, setReviews] = useState<ReviewEntry[]>([]);
  const [historyError, setHistoryError] = useState<unknown>(null);
  const [loaded, setLoaded] = useState(0); // bumped after a decision: read the history again
  useEffect(() => {
    const ctl = new AbortController();
    call<ReviewHistory>("GET", `quotes/${encodeURIComponent(quoteId)}/reviews`, { signal: ctl.signal }).then(
      (h) => {
        setReviews(h.reviews);
        setHistoryError(null);
      },
      (err) => {
        if ((err as Error).name !== "AbortError") setHistoryError(err);
      },
    );
    return () => ctl.abort();
  }, [quoteId, loaded]);
  const decide = async (decision: "approve" | "return") => {
    setBusy(true);
    setError(null);
    try {
      const done = await call<ReviewResult>("POST", `quotes/${encodeURIComponent(quoteId)}/review`, {
        body: { decision, reason },
      });
      setReason("");
      onStatus(done.status);
      setLoaded((n) => n + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const hint = error instanceof ApiFailure ? reviewErrorKey(error.status) : null;
  if (status !== "needs_review" && !reviews.length) return null;
  return (
    <Section title={t("review")} id="quote-review">
      {status === "needs_review" && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          <label htmlFor="review-reason">{t("review_reason")}</label>
          <textarea id="review-reason" rows={3} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
          <div className="toolbar">
            <button type="button" className="primary" data-testid="review-approve" disabled={busy} onClick={() => void decide("approve")}>
              {t("review_approve")}
            </button>
            <button type="button" data-testid="review-return" disabled={busy} onClick={() => void decide("return")}>
              {t("review_return")}
            </button>
          </div>
        </form>
      )}
      <ErrorBox error={error} />
      <ErrorBox error={historyError} />
      {hint && (
        <p className="review-hint" data-testid="review-hint">
          {t(hint)}
        </p>
      )}
      {reviews.length > 0 && (
        <table className="list" data-testid="review-history">
          <caption>{t("review_history")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("review_at")}</th>
              <th scope="col">{t("review_decision")}</th>
              <th scope="col">{t("review_reason")}</th>
              <th scope="col">{t("review_by")}</th>
            </tr>
          </thead>
          <tbody>
            {reviews.map((r, i) => (
              <tr key={i} data-testid="review-entry" data-reviewer-id={r.reviewer_id}>
                <td>{formatDateTime(r.created_at)}</td>
                <td>{t(r.decision === "approve" ? "review_approved" : "review_returned")}</td>
                <td>{r.reason || "—"}</td>
                <td data-testid="review-by">{r.reviewer_email ?? <span className="mono">{r.reviewer_id}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** The quote number's revisions, a diff between two, and "revise". */
export function RevisionsSection({ quoteId, status, onRevise }: { quoteId: string; status: string; onRevise: () => void }) {
  const t = useT();
  const [list, setList] = useState<RevisionList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [a, setA] = useState("");
  const [b, setB] = useState("");
  const [diff, setDiff] = useState<RevisionDiff | null>(null);
  const [diffError, setDiffError] = useState<unknown>(null);
  useEffect(() => {
    setList(null);
    setDiff(null);
    call<RevisionList>("GET", `quotes/${encodeURIComponent(quoteId)}/revisions`).then((l) => {
      setList(l);
      const labels = l.items.map((r) => r.label);
      setA(labels.length > 1 ? labels[labels.length - 2] : (labels[0] ?? ""));
      setB(labels[labels.length - 1] ?? "");
    }, setError);
  }, [quoteId, status]); // a review changes a revision's status
  const compare = async () => {
    setDiffError(null);
    try {
      setDiff(await call<RevisionDiff>("GET", `quotes/${encodeURIComponent(quoteId)}/revisions/${a}/diff/${b}`));
    } catch (err) {
      setDiffError(err);
    }
  };
  const latest = list?.items[list.items.length - 1];
  return (
    <Section title={t("revisions")} id="quote-revisions">
      <ErrorBox error={error} />
      <div className="toolbar">
        <button type="button" data-testid="revise" onClick={onRevise} disabled={!!latest && latest.quote_id !== quoteId}>
          {t("revise")}
        </button>
        {latest && latest.quote_id !== quoteId && <span className="muted">{t("revise_latest_only")}</span>}
      </div>
      {list && (
        <table className="list" data-testid="revisions">
          <thead>
            <tr>
              <th scope="col">{t("revision")}</th>
              <th scope="col">{t("created_at")}</th>
              <th scope="col">{t("status")}</th>
              <th scope="col" className="num">
                {t("grand_total")}
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((r) => (
              <tr key={r.quote_id} data-testid="revision-row" aria-current={r.quote_id === quoteId ? "true" : undefined}>
                <td>
                  <AppLink to={`/quotes/${r.quote_id}`}>{r.label}</AppLink>
                </td>
                <td>{formatDateTime(r.created_at)}</td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td className="num">{formatKRW(r.grand_total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list && list.items.length > 1 && (
        <div className="toolbar">
          <label htmlFor="diff-a">{t("diff_from")}</label>
          <select id="diff-a" value={a} onChange={(e) => setA(e.target.value)}>
            {list.items.map((r) => (
              <option key={r.label}>{r.label}</option>
            ))}
          </select>
          <label htmlFor="diff-b">{t("diff_to")}</label>
          <select id="diff-b" value={b} onChange={(e) => setB(e.target.value)}>
            {list.items.map((r) => (
              <option key={r.label}>{r.label}</option>
            ))}
          </select>
          <button type="button" data-testid="diff-compare" onClick={() => void compare()}>
            {t("diff_compare")}
          </button>
        </div>
      )}
      <ErrorBox error={diffError} />
      {diff && <DiffView diff={diff} />}
    </Section>
  );
}

const TOTAL_KEYS = ["materials", "labour", "subtotal", "vat", "grand_total"] as const;

function DiffView({ diff }: { diff: RevisionDiff }) {
  const t = useT();
  const lines = diff.lines as Record<"added" | "removed" | "changed", Array<Record<string, unknown>>>;
  const enclosure = diff.enclosure as { from?: { box?: Record<string, unknown> }; to?: { box?: Record<string, unknown> } } | null;
  const imbalance = diff.imbalance as { from?: unknown; to?: unknown } | null;
  const box = (b?: Record<string, unknown>) => (b ? `${String(b.model)} (${String(b.w)} × ${String(b.h)} × ${String(b.d)} mm)` : "—");
  return (
    <div className="diff" data-testid="revision-diff">
      <h3>
        {diff.from} → {diff.to}
      </h3>
      <h4>{t("diff_request")}</h4>
      {diff.request.length ? (
        <table className="list" data-testid="diff-request">
          <thead>
            <tr>
              <th scope="col">{t("diff_field")}</th>
              <th scope="col">{t("diff_from")}</th>
              <th scope="col">{t("diff_to")}</th>
            </tr>
          </thead>
          <tbody>
            {diff.request.map((r) => (
              <tr key={String(r.path)} data-testid="diff-request-row">
                <td className="mono">{String(r.path)}</td>
                <td>{diffValue(r.from)}</td>
                <td>{diffValue(r.to)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">{t("diff_none")}</p>
      )}
      {diff.panels && <PanelsDiffView panels={diff.panels} />}
      <h4>{t("diff_lines")}</h4>
      <ul data-testid="diff-lines">
        {(["added", "removed", "changed"] as const).map((kind) =>
          (lines[kind] ?? []).map((l, i) => (
            <li key={`${kind}-${i}`} className={`diff-${kind}`} data-kind={kind}>
              {t(`diff_${kind}` as TextKey)}: {String(l.item ?? "")} {String(l.spec ?? "")}
              {kind === "changed" &&
                (["qty", "unit_price", "amount"] as const)
                  .filter((f) => l[f] !== undefined)
                  .map((f) => {
                    const c = l[f] as { from: unknown; to: unknown };
                    return ` · ${f} ${diffValue(c.from)} → ${diffValue(c.to)}`;
                  })
                  .join("")}
            </li>
          )),
        )}
        {!lines.added?.length && !lines.removed?.length && !lines.changed?.length && <li className="muted">{t("diff_none")}</li>}
      </ul>
      <h4>{t("diff_totals")}</h4>
      <table className="totals" data-testid="diff-totals">
        <tbody>
          {TOTAL_KEYS.filter((k) => k in diff.totals_delta).map((k) => (
            <tr key={k} className={k === "grand_total" ? "grand" : undefined}>
              <th scope="row">{t(k)}</th>
              <td className="num" data-testid={`delta-${k}`} data-value={diff.totals_delta[k]}>
                {signedDelta(diff.totals_delta[k])}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!diff.panels && (
        // a panel's box and imbalance; a project's are its panels' (above)
        <>
          <p data-testid="diff-box">
            {t("box")}: {enclosure ? `${box(enclosure.from?.box)} → ${box(enclosure.to?.box)}` : t("diff_unchanged")}
          </p>
          <p data-testid="diff-imbalance">
            {t("imbalance")}: {imbalance ? `${diffValue(imbalance.from)} → ${diffValue(imbalance.to)}` : t("diff_unchanged")}
          </p>
        </>
      )}
    </div>
  );
}

/** A project's panels added, removed and changed (qty and amount, from → to). */
function PanelsDiffView({ panels }: { panels: Schemas["PanelsDiff"] }) {
  const t = useT();
  const fromTo = (c: Record<string, unknown> | null, money: boolean) => {
    if (!c) return "—";
    const show = (v: unknown) => (money && typeof v === "number" ? formatKRW(v) : diffValue(v));
    return `${show(c.from)} → ${show(c.to)}`;
  };
  const money = (v: unknown) => (typeof v === "number" ? formatKRW(v) : diffValue(v));
  const rows = [
    ...panels.added.map((p) => ({ kind: "added" as const, name: String(p.name), qty: diffValue(p.qty), amount: money(p.amount) })),
    ...panels.removed.map((p) => ({ kind: "removed" as const, name: String(p.name), qty: diffValue(p.qty), amount: money(p.amount) })),
    ...panels.changed.map((p) => ({ kind: "changed" as const, name: p.name, qty: fromTo(p.qty, false), amount: fromTo(p.amount, true) })),
  ];
  return (
    <>
      <h4>{t("diff_panels")}</h4>
      {rows.length ? (
        <table className="list" data-testid="diff-panels">
          <thead>
            <tr>
              <th scope="col">{t("panel")}</th>
              <th scope="col">{t("diff_field")}</th>
              <th scope="col">{t("qty")}</th>
              <th scope="col">{t("amount")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.kind}-${r.name}`} data-testid="diff-panel-row" data-kind={r.kind} data-panel={r.name} className={`diff-${r.kind}`}>
                <th scope="row">{r.name}</th>
                <td>{t(`diff_${r.kind}`)}</td>
                <td>{r.qty}</td>
                <td className="num">{r.amount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">{t("diff_none")}</p>
      )}
    </>
  );
}
