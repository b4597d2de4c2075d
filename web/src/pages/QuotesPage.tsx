import { useEffect, useMemo, useState } from "react";
import { call, type QuoteList } from "../api/client";
import { ErrorBox, StatusBadge } from "../components/common";
import { formatDateTime, formatKRW } from "../format";
import { useT } from "../i18n";
import { navigate } from "../router";

const PAGE = 20;

/** The caller's quotes (GET /quotes pages them; it has no filters yet, so search, status
 * and date filter the page shown). */
export function QuotesPage() {
  const t = useT();
  const [offset, setOffset] = useState(0);
  const [list, setList] = useState<QuoteList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [q, setQ] = useState("");
  const [status, setStatus] = useState("");
  const [since, setSince] = useState("");

  useEffect(() => {
    setError(null);
    call<QuoteList>("GET", "quotes", { query: { limit: PAGE, offset } }).then(setList, setError);
  }, [offset]);

  const items = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (list?.items ?? []).filter(
      (i) =>
        (!status || i.status === status) &&
        (!since || i.created_at.slice(0, 10) >= since) &&
        (!needle ||
          i.quote_number.toLowerCase().includes(needle) ||
          i.quote_id.toLowerCase().includes(needle) ||
          (i.project ?? "").toLowerCase().includes(needle)),
    );
  }, [list, q, status, since]);

  return (
    <div className="quotes-page">
      <h1>{t("quotes_title")}</h1>
      <div className="toolbar">
        <label htmlFor="quotes-search">{t("search")}</label>
        <input id="quotes-search" type="search" placeholder={t("search_placeholder")} value={q} onChange={(e) => setQ(e.target.value)} />
        <label htmlFor="quotes-status">{t("status")}</label>
        <select id="quotes-status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">{t("all")}</option>
          <option value="issued">{t("status_issued")}</option>
          <option value="needs_review">{t("status_needs_review")}</option>
          <option value="rejected">{t("status_rejected")}</option>
        </select>
        <label htmlFor="quotes-since">{t("since")}</label>
        <input id="quotes-since" type="date" value={since} onChange={(e) => setSince(e.target.value)} />
      </div>
      <ErrorBox error={error} />
      {list && (
        <table className="list card" data-testid="quotes">
          <thead>
            <tr>
              <th scope="col">{t("created_at")}</th>
              <th scope="col">{t("project")}</th>
              <th scope="col">{t("status")}</th>
              <th scope="col" className="num">
                {t("grand_total")}
              </th>
              <th scope="col">{t("catalog")}</th>
              <th scope="col">{t("quote_number")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.quote_id} data-testid="quote-row">
                <td>{formatDateTime(i.created_at)}</td>
                <td>
                  <a
                    href={`/quotes/${i.quote_id}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/quotes/${i.quote_id}`);
                    }}
                  >
                    {i.project || "—"}
                  </a>
                </td>
                <td>
                  <StatusBadge status={i.status} />
                </td>
                <td className="num">{formatKRW(i.grand_total)}</td>
                <td>{i.catalog_label}</td>
                <td className="mono">{i.quote_number}</td>
              </tr>
            ))}
            {!items.length && (
              <tr>
                <td colSpan={6}>{t("no_quotes")}</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label={t("page")}>
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          {t("prev")}
        </button>
        <span>
          {t("page")} {offset / PAGE + 1}
        </span>
        <button type="button" disabled={list?.next_offset == null} onClick={() => setOffset(list?.next_offset ?? offset)}>
          {t("next")}
        </button>
      </nav>
    </div>
  );
}
