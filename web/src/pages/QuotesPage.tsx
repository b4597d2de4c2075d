import { useEffect, useState } from "react";
import { call, type QuoteList } from "../api/client";
import { AppLink, ErrorBox, StatusBadge } from "../components/common";
import { formatDateTime, formatKRW } from "../format";
import { useT } from "../i18n";


const PAGE = 20;

export interface QuoteFilters {
  q: string;
  status: string;
  from: string;
  to: string;
}

export const NO_FILTERS: QuoteFilters = { q: "", status: "", from: "", to: "" };

/** The query of GET /quotes for these filters and page: empty filters are left out. */
export function listQuery(f: QuoteFilters, offset: number, limit = PAGE): Record<string, string | number | undefined> {
  const q = f.q.trim();
  return { limit, offset, q: q || undefined, status: f.status || undefined, from: f.from || undefined, to: f.to || undefined };
}

/** The caller's quotes, searched, filtered and paged by the server (GET /quotes). */
export function QuotesPage() {
  const t = useT();
  const [offset, setOffset] = useState(0);
  const [list, setList] = useState<QuoteList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [draft, setDraft] = useState<QuoteFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<QuoteFilters>(NO_FILTERS);

  useEffect(() => {
    const ctl = new AbortController();
    setError(null);
    call<QuoteList>("GET", "quotes", { query: listQuery(filters, offset), signal: ctl.signal }).then(setList, (err) => {
      if ((err as Error).name !== "AbortError") setError(err);
    });
    return () => ctl.abort();
  }, [offset, filters]);

  const apply = (next: QuoteFilters) => {
    setFilters(next);
    setOffset(0);
  };
  const set = (k: keyof QuoteFilters, v: string) => setDraft((d) => ({ ...d, [k]: v }));

  return (
    <div className="quotes-page">
      <h1>{t("quotes_title")}</h1>
      <form
        className="toolbar"
        role="search"
        data-testid="quote-filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <label htmlFor="quotes-search">{t("search")}</label>
        <input id="quotes-search" type="search" placeholder={t("search_placeholder")} value={draft.q} maxLength={100} onChange={(e) => set("q", e.target.value)} />
        <label htmlFor="quotes-status">{t("status")}</label>
        <select
          id="quotes-status"
          value={draft.status}
          onChange={(e) => {
            set("status", e.target.value);
            apply({ ...draft, status: e.target.value });
          }}
        >
          <option value="">{t("all")}</option>
          <option value="issued">{t("status_issued")}</option>
          <option value="needs_review">{t("status_needs_review")}</option>
          <option value="approved">{t("status_approved")}</option>
          <option value="rejected">{t("status_rejected")}</option>
        </select>
        <label htmlFor="quotes-from">{t("since")}</label>
        <input id="quotes-from" type="date" value={draft.from} onChange={(e) => set("from", e.target.value)} />
        <label htmlFor="quotes-to">{t("until")}</label>
        <input id="quotes-to" type="date" value={draft.to} onChange={(e) => set("to", e.target.value)} />
        <button type="submit" className="primary" data-testid="apply-filters">
          {t("apply_filters")}
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(NO_FILTERS);
            apply(NO_FILTERS);
          }}
        >
          {t("clear_filters")}
        </button>
      </form>
      <ErrorBox error={error} />
      {list && (
        <table className="list card" data-testid="quotes">
          <thead>
            <tr>
              <th scope="col">{t("created_at")}</th>
              <th scope="col">{t("project")}</th>
              <th scope="col">{t("customer_name")}</th>
              <th scope="col">{t("status")}</th>
              <th scope="col" className="num">
                {t("grand_total")}
              </th>
              <th scope="col">{t("catalog")}</th>
              <th scope="col">{t("quote_number")}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((i) => (
              <tr key={i.quote_id} data-testid="quote-row">
                <td>{formatDateTime(i.created_at)}</td>
                <td>
                  <AppLink to={`/quotes/${i.quote_id}`}>{i.project || "—"}</AppLink>
                </td>
                <td>{i.customer || "—"}</td>
                <td>
                  <StatusBadge status={i.status} />
                </td>
                <td className="num">{formatKRW(i.grand_total)}</td>
                <td>{i.catalog_label}</td>
                <td className="mono">{i.quote_number}</td>
              </tr>
            ))}
            {!list.items.length && (
              <tr>
                <td colSpan={7}>{t("no_quotes")}</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label={t("page")}>
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          {t("prev")}
        </button>
        <span data-testid="page-number">
          {t("page")} {offset / PAGE + 1}
        </span>
        <button type="button" disabled={list?.next_offset == null} onClick={() => setOffset(list?.next_offset ?? offset)}>
          {t("next")}
        </button>
      </nav>
    </div>
  );
}
