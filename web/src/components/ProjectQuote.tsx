// The body of the quote page for a project quote: cover, the panels' summary, totals and,
// per panel, its lines by section, phases, lint and drawing (from the panel's evidence).
import { useEffect, useState } from "react";
import type { ProjectEstimateResponse } from "../api/client";
import { formatDateTime, formatKRW, shortHash } from "../format";
import { useT, type Lang } from "../i18n";
import { boxLabel, panelEvidence } from "../projectQuote";
import { ErrorBox, Section, StatusBadge } from "./common";
import { BoxSummary, Drawing, LinesTable, LintList, PhaseBars, TotalsTable } from "./QuoteViews";

type Dict = Record<string, unknown>;
type Loaded = Dict | Error | null;

/** Each panel's stored output (its evidence), fetched once per quote. */
function usePanelOutputs(quote: ProjectEstimateResponse): Loaded[] {
  const [outputs, setOutputs] = useState<Loaded[]>(() => quote.panels.map(() => null));
  useEffect(() => {
    const ctl = new AbortController();
    setOutputs(quote.panels.map(() => null));
    quote.panels.forEach((_, i) => {
      const url = panelEvidence(quote.evidence, i).output;
      const done = (value: Loaded) => setOutputs((o) => o.map((v, j) => (j === i ? value : v)));
      if (!url) {
        done(new Error(`no evidence p${i}_output`));
        return;
      }
      fetch(url, { signal: ctl.signal })
        .then((res) => (res.ok ? (res.json() as Promise<Dict>) : Promise.reject(new Error(`p${i}_output: HTTP ${res.status}`))))
        .then(done, (err: Error) => {
          if (err.name !== "AbortError") done(err);
        });
    });
    return () => ctl.abort();
  }, [quote]);
  return outputs;
}

export function ProjectQuoteBody({ quote, lang }: { quote: ProjectEstimateResponse; lang: Lang }) {
  const t = useT();
  const outputs = usePanelOutputs(quote);
  const info = quote.project;
  return (
    <>
      <div className="two-col">
        <Section title={t("cover")} id="cover">
          <dl className="kv">
            <dt>{t("client")}</dt>
            <dd data-testid="cover-client">{info.customer.name}</dd>
            <dt>{t("project")}</dt>
            <dd data-testid="cover-project">{info.name}</dd>
            <dt>{t("project_number")}</dt>
            <dd>{info.number ?? "—"}</dd>
            <dt>{t("estimator")}</dt>
            <dd>{quote.estimator ?? "—"}</dd>
            <dt>{t("issued_at")}</dt>
            <dd>{formatDateTime(quote.issued_at)}</dd>
            <dt>{t("revision")}</dt>
            <dd data-testid="cover-revision">{quote.revision}</dd>
            <dt>{t("catalog")}</dt>
            <dd>
              {quote.catalog.label} <small className="mono">{shortHash(quote.catalog.sha256)}</small>
            </dd>
            <dt>{t("evidence_root")}</dt>
            <dd className="mono" data-testid="evidence-root">
              {shortHash(quote.evidence_root, 16)}
            </dd>
          </dl>
        </Section>
        <Section title={t("totals")} id="quote-totals">
          <TotalsTable totals={quote.totals as unknown as Dict} />
        </Section>
      </div>
      <Section title={t("panels_summary")} id="project-summary">
        <div className="table-wrap">
          <table className="list" data-testid="project-quote-summary">
            <thead>
              <tr>
                <th scope="col">{t("panel_name")}</th>
                <th scope="col" className="num">{t("qty")}</th>
                <th scope="col">{t("box")}</th>
                <th scope="col" className="num">{t("panel_unit")}</th>
                <th scope="col" className="num">{t("panel_amount")}</th>
                <th scope="col">{t("status")}</th>
              </tr>
            </thead>
            <tbody>
              {quote.panels.map((p, i) => {
                const out = outputs[i];
                const box = out instanceof Error ? "—" : boxLabel(out);
                return (
                  <tr key={`${i}-${p.name}`} data-testid="project-summary-row">
                    <th scope="row">
                      <a href={`#quote-panel-${i}-h`}>{p.name}</a>
                    </th>
                    <td className="num" data-value={p.qty}>{p.qty}</td>
                    <td data-testid={`panel-box-${i}`} data-value={box ?? ""}>
                      {box ?? t("loading")}
                    </td>
                    <td className="num" data-value={p.unit_total}>{formatKRW(p.unit_total)}</td>
                    <td className="num" data-value={p.amount}>{formatKRW(p.amount)}</td>
                    <td>
                      <StatusBadge status={p.status} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Section>
      {quote.panels.map((p, i) => (
        <PanelDetail key={`${i}-${p.name}`} index={i} name={p.name} qty={p.qty} output={outputs[i]} drawing={panelEvidence(quote.evidence, i).drawing} lang={lang} />
      ))}
    </>
  );
}

function PanelDetail({ index, name, qty, output, drawing, lang }: { index: number; name: string; qty: number; output: Loaded; drawing: string | null; lang: Lang }) {
  const t = useT();
  return (
    <Section title={`${t("panel_detail")}: ${name} × ${qty}`} id={`quote-panel-${index}`}>
      {output === null && (
        <p role="status" aria-busy="true">
          {t("panel_loading")}
        </p>
      )}
      {output instanceof Error && <ErrorBox error={output} />}
      {output && !(output instanceof Error) && (
        <div data-testid={`panel-detail-${index}`}>
          <BoxSummary enclosure={(output.enclosure ?? {}) as Dict} />
          <h3>{t("lines")}</h3>
          <div className="table-wrap">
            <LinesTable lines={(output.lines ?? []) as Dict[]} lang={lang} />
          </div>
          <div className="two-col">
            <div>
              <h3>{t("phase_balance")}</h3>
              <PhaseBars balance={(output.phase_balance ?? {}) as Dict} />
            </div>
            <div>
              <h3>{t("lint")}</h3>
              <LintList lint={(output.lint ?? {}) as Dict} />
            </div>
          </div>
          {drawing && (
            <>
              <h3>{t("drawing")}</h3>
              <Drawing src={drawing} title={`${t("drawing")} ${name}`} />
            </>
          )}
        </div>
      )}
    </Section>
  );
}
