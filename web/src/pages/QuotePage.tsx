import { useEffect, useState } from "react";
import { ApiFailure, call, type EstimateResponse, type EvidenceList, type QuoteResponse } from "../api/client";
import { ErrorBox, Section, StatusBadge } from "../components/common";
import { DocumentsSection, ReviewSection, RevisionsSection } from "../components/QuoteTeam";
import { reviseDraftKey } from "../api/revise";
import { BoxSummary, Drawing, LinesTable, LintList, PhaseBars, TotalsTable } from "../components/QuoteViews";
import { formatDateTime, shortHash } from "../format";
import { useLang, useT } from "../i18n";
import { NotFound } from "./NotFound";
import { ProjectQuoteBody } from "../components/ProjectQuote";
import { PROJECT_DRAFT_KEY } from "../project";
import { isProjectBody, isProjectQuote } from "../projectQuote";
import { DRAFT_KEY } from "../request";
import { navigate } from "../router";

export function QuotePage({ id }: { id: string }) {
  const t = useT();
  const lang = useLang();
  const [quote, setQuote] = useState<QuoteResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [evidence, setEvidence] = useState<EvidenceList | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [verifyError, setVerifyError] = useState<unknown>(null);
  const [copyError, setCopyError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);

  useEffect(() => {
    setQuote(null);
    setError(null);
    setEvidence(null);
    setStatus(null);
    call<QuoteResponse>("GET", `quotes/${encodeURIComponent(id)}`).then(setQuote, setError);
  }, [id]);

  if (error instanceof ApiFailure && error.status === 404) return <NotFound />;
  if (error) return <ErrorBox error={error} />;
  if (!quote) return <p>{t("loading")}</p>;

  const project = isProjectQuote(quote);
  const items = evidence?.items ?? quote.evidence;

  const verify = async () => {
    setVerifying(true);
    setVerifyError(null);
    try {
      setEvidence(await call<EvidenceList>("GET", `quotes/${encodeURIComponent(id)}/evidence`, { query: { verify: true } }));
    } catch (err) {
      setVerifyError(err);
    } finally {
      setVerifying(false);
    }
  };

  // The stored request is the quote's "input" evidence.
  const storedRequest = async (): Promise<unknown> => {
    const input = quote.evidence.find((e) => e.stage === "input");
    if (!input) throw new Error("no input evidence");
    const res = await fetch(input.url);
    if (!res.ok) throw new Error(`input evidence: HTTP ${res.status}`);
    return res.json();
  };

  // "Revise": the request form (a project's: the project editor), prefilled from this
  // quote's request, issues a revision.
  const revise = async () => {
    setCopyError(null);
    try {
      const request = await storedRequest();
      localStorage.setItem(reviseDraftKey(quote.quote_id), JSON.stringify(request));
      const editor = isProjectBody(request) ? "revise-project" : "revise";
      navigate(`/quotes/${encodeURIComponent(quote.quote_id)}/${editor}`);
    } catch (err) {
      setCopyError(err);
    }
  };

  // The stored request becomes the request page's draft.
  const copyToNew = async () => {
    setCopyError(null);
    try {
      const request = await storedRequest();
      // a project quote's request opens in the project editor
      const projectBody = isProjectBody(request);
      localStorage.setItem(projectBody ? PROJECT_DRAFT_KEY : DRAFT_KEY, JSON.stringify(request));
      navigate(projectBody ? "/project" : "/new");
    } catch (err) {
      setCopyError(err);
    }
  };

  return (
    <div className="quote-page" data-testid="quote-page" data-quote-id={quote.quote_id}>
      <h1>
        {t("quote")} <small className="mono" data-testid="quote-number">{quote.quote_number}</small> <StatusBadge status={status ?? quote.status} />
      </h1>
      <div className="toolbar">
        <button type="button" data-testid="copy-to-new" onClick={() => void copyToNew()}>
          {t("copy_to_new")}
        </button>
      </div>
      <ErrorBox error={copyError} />
      {project ? <ProjectQuoteBody quote={quote} lang={lang} /> : <PanelQuoteBody quote={quote} lang={lang} />}
      <ReviewSection quoteId={quote.quote_id} status={status ?? quote.status} onStatus={setStatus} />
      <DocumentsSection quoteId={quote.quote_id} status={status ?? quote.status} />
      <RevisionsSection quoteId={quote.quote_id} status={status ?? quote.status} onRevise={() => void revise()} />
      <Section title={t("evidence")} id="quote-evidence">
        <ErrorBox error={verifyError} />
        <button type="button" className="primary" data-testid="verify" disabled={verifying} onClick={() => void verify()}>
          {t("verify")}
        </button>
        {evidence && (
          <p role="status" data-testid="verify-result" data-verified={String(evidence.verified)}>
            {evidence.verified ? `✓ ${t("verify_all_ok")}` : `✗ ${t("verify_failed")}`}
          </p>
        )}
        {evidence?.chain && evidence.chain.length > 0 && (
          <table className="evidence" data-testid="chain">
            <caption>{t("chain")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("revision")}</th>
                <th scope="col">{t("status")}</th>
                <th scope="col">{t("chain_reason")}</th>
              </tr>
            </thead>
            <tbody>
              {evidence.chain.map((c) => (
                <tr key={c.quote_id} data-testid="chain-row" data-revision={c.revision} data-ok={String(c.ok)}>
                  <th scope="row">{c.revision}</th>
                  <td>{c.ok ? `✓ ${t("chain_ok")}` : `✗ ${t("chain_failed")}`}</td>
                  <td>{c.reason ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <table className="evidence">
          <thead>
            <tr>
              <th scope="col">{t("stage")}</th>
              <th scope="col">SHA-256</th>
              <th scope="col">{t("status")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => {
              const v = (e as { verified?: boolean | null }).verified;
              return (
                <tr key={e.stage}>
                  <td>
                    <a href={e.url} target="_blank" rel="noreferrer">
                      {e.stage}
                    </a>
                  </td>
                  <td className="mono">{shortHash(e.sha256, 16)}</td>
                  <td>{v === undefined || v === null ? "" : v ? `✓ ${t("verified_ok")}` : `✗ ${t("verified_bad")}`}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {evidence?.documents && evidence.documents.length > 0 && (
          <table className="evidence" data-testid="document-checks">
            <caption>{t("documents_checked")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("kind")}</th>
                <th scope="col">SHA-256</th>
                <th scope="col">{t("status")}</th>
              </tr>
            </thead>
            <tbody>
              {evidence.documents.map((d) => (
                <tr key={`${d.set_no}-${d.kind}`} data-testid={`doc-check-${d.kind}`} data-sha256={d.sha256} data-verified={String(d.verified)}>
                  <td>{d.kind}</td>
                  <td className="mono">{shortHash(d.sha256, 16)}</td>
                  <td>{d.verified ? `✓ ${t("verified_ok")}` : `✗ ${t("verified_bad")}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}

/** The body of the quote page for a panel quote: cover, totals, lines, phases, lint, drawing. */
function PanelQuoteBody({ quote, lang }: { quote: EstimateResponse; lang: "ko" | "en" }) {
  const t = useT();
  const cover = quote.cover as Record<string, unknown>;
  const catalog = quote.catalog as Record<string, unknown>;
  const drawing = quote.evidence.find((e) => e.stage === "drawing")?.url ?? null;
  return (
    <>
      <div className="two-col">
        <Section title={t("cover")} id="cover">
          <dl className="kv">
            <dt>{t("client")}</dt>
            <dd data-testid="cover-client">{String(cover.client ?? "—")}</dd>
            <dt>{t("project")}</dt>
            <dd data-testid="cover-project">{String(cover.project_name ?? "—")}</dd>
            <dt>{t("estimator")}</dt>
            <dd>{String(cover.estimator ?? "—")}</dd>
            <dt>{t("issued_at")}</dt>
            <dd>{formatDateTime(String(cover.issued_at ?? ""))}</dd>
            <dt>{t("revision")}</dt>
            <dd data-testid="cover-revision">{String(cover.revision ?? "R0")}</dd>
            <dt>{t("catalog")}</dt>
            <dd>
              {String(catalog.label ?? "")} <small className="mono">{shortHash(String(catalog.sha256 ?? ""))}</small>
            </dd>
            <dt>{t("evidence_root")}</dt>
            <dd className="mono" data-testid="evidence-root">
              {shortHash(quote.evidence_root, 16)}
            </dd>
          </dl>
          <BoxSummary enclosure={quote.enclosure} />
        </Section>
        <Section title={t("totals")} id="quote-totals">
          <TotalsTable totals={quote.totals} />
        </Section>
      </div>
      <Section title={t("lines")} id="quote-lines">
        <div className="table-wrap">
          <LinesTable lines={quote.lines} lang={lang} />
        </div>
      </Section>
      <div className="two-col">
        <Section title={t("phase_balance")} id="quote-phase">
          <PhaseBars balance={quote.phase_balance} />
        </Section>
        <Section title={t("lint")} id="quote-lint">
          <LintList lint={quote.lint} />
        </Section>
      </div>
      <Section title={t("drawing")} id="quote-drawing">
        <Drawing src={drawing} title={t("drawing")} />
      </Section>
    </>
  );
}
