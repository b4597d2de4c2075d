import { useEffect, useState } from "react";
import { call, type QuoteList } from "../api/client";
import { AppLink, ErrorBox } from "../components/common";
import { OrganisationPicker, useOrganisations } from "../components/OrganisationPicker";
import { formatDateTime, formatKRW } from "../format";
import { useT } from "../i18n";
import { organisationHeader } from "../organisation";


/** The reviewer's queue: the organisation's quotes in review, oldest first. */
export function ReviewPage() {
  const t = useT();
  const orgs = useOrganisations();
  const [list, setList] = useState<QuoteList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const count = orgs.items?.length ?? 0;
  const chosen = orgs.chosen?.id ?? null;

  useEffect(() => {
    if (!orgs.items) return;
    const ctl = new AbortController();
    setError(null);
    setList(null);
    call<QuoteList>("GET", "quotes", {
      query: { status: "needs_review", limit: 50 },
      headers: organisationHeader(count, chosen),
      signal: ctl.signal,
    }).then(setList, (err) => {
      if ((err as Error).name !== "AbortError") setError(err);
    });
    return () => ctl.abort();
  }, [orgs.items, count, chosen]);

  return (
    <div className="review-page">
      <h1>{t("review_queue")}</h1>
      <OrganisationPicker {...orgs} />
      <ErrorBox error={error} />
      {!list && !error && <p>{t("loading")}</p>}
      {list && (
        <table className="list card" data-testid="review-queue">
          <thead>
            <tr>
              <th scope="col">{t("created_at")}</th>
              <th scope="col">{t("project")}</th>
              <th scope="col">{t("customer_name")}</th>
              <th scope="col" className="num">
                {t("grand_total")}
              </th>
              <th scope="col">{t("quote_number")}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((i) => (
              <tr key={i.quote_id} data-testid="review-row" data-quote-id={i.quote_id}>
                <td>{formatDateTime(i.created_at)}</td>
                <td>
                  <AppLink to={`/quotes/${i.quote_id}`}>{i.project || "—"}</AppLink>
                </td>
                <td>{i.customer || "—"}</td>
                <td className="num">{formatKRW(i.grand_total)}</td>
                <td className="mono">{i.quote_number}</td>
              </tr>
            ))}
            {!list.items.length && (
              <tr>
                <td colSpan={5}>{t("review_queue_empty")}</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}
