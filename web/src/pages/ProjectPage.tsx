import { useEffect, useMemo, useState } from "react";
import { ApiFailure, call } from "../api/client";
import { reviseDraftKey } from "../api/revise";
import { ErrorBox, ReviseOf, Section, StatusBadge } from "../components/common";
import { Field, FieldErrors, PanelForm } from "../components/PanelForm";
import { TotalsTable } from "../components/QuoteViews";
import { formatKRW } from "../format";
import { errorMessage, useLang, useT } from "../i18n";
import {
  PROJECT_DRAFT_KEY,
  buildProject,
  copyPanel,
  emptyProject,
  failingPanels,
  newPanel,
  nextName,
  panelDetails,
  placeDetail,
  projectFromBody,
  type ProjectForm,
} from "../project";
import {
  deleteRow,
  fieldId,
  fieldsForDetails,
  knownField,
  type ErrorDetail,
  type RequestForm,
} from "../request";
import { useIssue } from "../issue";

const PREVIEW_DELAY_MS = 400;

interface PanelRow {
  name: string;
  qty: number;
  status: string;
  unit_total: number;
  amount: number;
}
interface ProjectPreview {
  kind: "project";
  status: string;
  panels: PanelRow[];
  totals: Record<string, unknown>;
}

function loadDraft(key: string): ProjectForm {
  try {
    const raw = localStorage.getItem(key);
    if (raw) {
      const p = projectFromBody(JSON.parse(raw));
      if (p.panels.length) return p;
    }
  } catch {
    /* a broken draft starts a new project */
  }
  return emptyProject();
}

/** A project: several panels ×qty, one edited at a time, previewed together, issued as one
 * quote; or (revise = a project quote's id) a revision of that quote. */
export function ProjectPage({ revise }: { revise?: string } = {}) {
  const t = useT();
  const lang = useLang();
  const draftKey = revise ? reviseDraftKey(revise) : PROJECT_DRAFT_KEY;
  const [project, setProject] = useState<ProjectForm>(() => loadDraft(draftKey));
  const [selected, setSelected] = useState(0);
  const [preview, setPreview] = useState<ProjectPreview | null>(null);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [loading, setLoading] = useState(false);
  const { issue, issuing, issueError, clearIssueError, retryable } = useIssue(revise, draftKey);

  const body = useMemo(() => buildProject(project), [project]);
  const text = useMemo(() => JSON.stringify(body), [body]);

  useEffect(() => {
    clearIssueError();
    try {
      localStorage.setItem(draftKey, text);
    } catch {
      /* no storage: no draft */
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      setLoading(true);
      call<ProjectPreview>("POST", "estimate/preview", { body, signal: ctl.signal })
        .then((p) => {
          setPreview(p);
          setError(null);
        })
        .catch((err) => {
          if ((err as Error).name === "AbortError") return;
          setError(err instanceof ApiFailure ? err : new ApiFailure(0, { code: "NETWORK", message: String(err), details: [] }));
        })
        .finally(() => {
          if (!ctl.signal.aborted) setLoading(false);
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [text, body, draftKey]);


  // Field errors come from the last answer about this body: the issue's, else the preview's.
  const fieldError = issueError instanceof ApiFailure && !issueError.retryable ? issueError : error;
  const details = (fieldError?.body.details ?? []) as ErrorDetail[];
  const failing = failingPanels(details);
  const current = Math.min(selected, project.panels.length - 1);
  const panel = project.panels[current];
  const byField = useMemo(() => fieldsForDetails(panelDetails(details, current), knownField(panel.form)), [details, current, panel.form]);
  const errorsFor = (key: string): ErrorDetail[] => byField.get(key) ?? [];
  const entryErrors = (i: number, k: "name" | "qty") =>
    details.map(placeDetail).filter((p) => p.panel === i && p.field === `entry.${k}`).map((p) => p.detail);
  const projectErrors = (k: string) => details.map(placeDetail).filter((p) => p.panel === null && p.field === k).map((p) => p.detail);

  const setPanels = (fn: (p: ProjectForm["panels"]) => ProjectForm["panels"]) => setProject((p) => ({ ...p, panels: fn(p.panels) }));
  const updatePanel = (fn: (f: RequestForm) => RequestForm) =>
    setPanels((ps) => ps.map((p, i) => (i === current ? { ...p, form: fn(p.form) } : p)));

  return (
    <div className="request-page project-page">
      <div className="form-col">
        <h1>{revise ? t("project_revise_title") : t("project_title")}</h1>
        {revise && <ReviseOf quoteId={revise} />}
        <div className="toolbar">
          <button type="button" onClick={() => { setProject(emptyProject()); setSelected(0); }}>
            {t("reset_form")}
          </button>
        </div>
        {fieldError && !failing.size && details.length === 0 && fieldError !== issueError && <ErrorBox error={fieldError} />}
        <Section title={t("nav_project")}>
          <div className="grid">
            {(
              [
                ["project.customer.name", "customer", "customer_name"],
                ["project.name", "name", "project"],
                ["project.number", "number", "project_number"],
              ] as const
            ).map(([key, k, label]) => (
              <Field key={key} k={key} label={t(label)} errors={projectErrors(key)} code={fieldError?.code}>
                <input id={fieldId(key)} value={project[k]} onChange={(e) => setProject((p) => ({ ...p, [k]: e.target.value }))} />
              </Field>
            ))}
          </div>
        </Section>
        <Section title={t("panels")}>
          <table className="rows" data-testid="panels">
            <thead>
              <tr>
                <th scope="col">{t("panel_name")}</th>
                <th scope="col">{t("qty")}</th>
                <th scope="col">{t("actions")}</th>
              </tr>
            </thead>
            <tbody>
              {project.panels.map((p, i) => (
                <tr key={p.id} className={failing.has(i) ? "invalid" : undefined} aria-current={i === current ? "true" : undefined} data-testid={`panel-${i}`}>
                  <td>
                    <input id={fieldId(`panels.${i}.name`)} aria-label={`${t("panel_name")} ${i + 1}`} value={p.name} onChange={(e) => setPanels((ps) => ps.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} />
                    <FieldErrors k={`panels.${i}.name`} errors={entryErrors(i, "name")} code={fieldError?.code} />
                  </td>
                  <td>
                    <input id={fieldId(`panels.${i}.qty`)} className="narrow" inputMode="numeric" aria-label={`${t("qty")} ${i + 1}`} value={p.qty} onChange={(e) => setPanels((ps) => ps.map((x, j) => (j === i ? { ...x, qty: e.target.value } : x)))} />
                    <FieldErrors k={`panels.${i}.qty`} errors={entryErrors(i, "qty")} code={fieldError?.code} />
                  </td>
                  <td className="row-actions">
                    <button type="button" aria-pressed={i === current} data-testid={`edit-panel-${i}`} onClick={() => setSelected(i)}>
                      {t("edit_panel")} {p.name}
                    </button>
                    <button type="button" aria-label={`${t("copy_row")} ${p.name}`} onClick={() => { setPanels((ps) => copyPanel(ps, i)); setSelected(i + 1); }}>
                      {t("copy_row")}
                    </button>
                    <button type="button" aria-label={`${t("delete_row")} ${p.name}`} disabled={project.panels.length === 1} onClick={() => { setPanels((ps) => deleteRow(ps, i)); setSelected(Math.max(0, i <= current ? current - 1 : current)); }}>
                      {t("delete_row")}
                    </button>
                    {failing.has(i) && <span className="field-error" data-testid={`panel-error-${i}`}>{errorMessage(fieldError?.code ?? "VALIDATION_FAILED", lang)}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" data-testid="add-panel" onClick={() => { setPanels((ps) => [...ps, newPanel(nextName(ps, ps[ps.length - 1]?.name ?? "LP-1"))]); setSelected(project.panels.length); }}>
            + {t("add_panel")}
          </button>
        </Section>
        <h2 data-testid="editing-panel">
          {t("editing_panel")}: {panel.name}
        </h2>
        <PanelForm key={panel.id} form={panel.form} update={updatePanel} errorsFor={errorsFor} code={fieldError?.code} customer={false} />
      </div>
      <aside className="preview-col" aria-label={t("preview")}>
        <div className="preview-head">
          <h2>{t("preview")}</h2>
          <span role="status" className="muted" data-testid="preview-state">
            {loading ? t("preview_loading") : ""}
          </span>
        </div>
        <div className="issue">
          <ErrorBox error={issueError} />
          <button type="button" className="primary big" data-testid="issue" onClick={() => void issue(body, text)} disabled={issuing} aria-busy={issuing}>
            {issuing ? t("issuing") : retryable ? t("issue_retry") : revise ? t("issue_revision") : t("issue")}
          </button>
        </div>
        {error && !issueError && <ErrorBox error={error} />}
        {preview && (
          <div className={error ? "stale" : undefined} data-testid="preview">
            <p>
              <StatusBadge status={preview.status} />
            </p>
            <table className="list" data-testid="project-summary">
              <thead>
                <tr>
                  <th scope="col">{t("panel_name")}</th>
                  <th scope="col" className="num">{t("qty")}</th>
                  <th scope="col" className="num">{t("unit_total")}</th>
                  <th scope="col" className="num">{t("amount")}</th>
                </tr>
              </thead>
              <tbody>
                {preview.panels.map((p) => (
                  <tr key={p.name} data-testid="summary-row">
                    <td>{p.name}</td>
                    <td className="num">{p.qty}</td>
                    <td className="num">{formatKRW(p.unit_total)}</td>
                    <td className="num" data-value={p.amount}>{formatKRW(p.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>{t("totals")}</h3>
            <TotalsTable totals={preview.totals} />
          </div>
        )}
      </aside>
    </div>
  );
}
