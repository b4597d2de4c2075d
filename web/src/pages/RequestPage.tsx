import { useEffect, useMemo, useState } from "react";
import { ApiFailure, call, type PreviewResponse } from "../api/client";
import { ErrorBox, ReviseOf, StatusBadge } from "../components/common";
import { PanelForm } from "../components/PanelForm";
import { BoxSummary, Drawing, LintList, PhaseBars, TotalsTable } from "../components/QuoteViews";
import { errorMessage, useLang, useT } from "../i18n";
import {
  buildRequest,
  DRAFT_KEY,
  emptyForm,
  fieldsForDetails,
  formFromRequest,
  knownField,
  type ErrorDetail,
  type RequestForm,
} from "../request";
import { reviseDraftKey } from "../api/revise";
import { useIssue } from "../issue";


const PREVIEW_DELAY_MS = 400;

function loadDraft(key: string): RequestForm {
  try {
    const raw = localStorage.getItem(key);
    if (raw) return formFromRequest(JSON.parse(raw));
  } catch {
    /* a broken draft starts a new form */
  }
  return emptyForm();
}

/** The request form: a new quote, or (revise = a quote id) a revision of that quote. */
export function RequestPage({ revise }: { revise?: string } = {}) {
  const t = useT();
  const lang = useLang();
  const draftKey = revise ? reviseDraftKey(revise) : DRAFT_KEY;
  const [form, setForm] = useState<RequestForm>(() => loadDraft(draftKey));
  const [preview, setPreview] = useState<PreviewResponse | null>(null);
  const [previewError, setPreviewError] = useState<ApiFailure | null>(null);
  const [loading, setLoading] = useState(false);
  const [pasteOpen, setPasteOpen] = useState(false);
  const [pasteText, setPasteText] = useState("");
  const [pasteError, setPasteError] = useState("");
  const { issue, issuing, issueError, clearIssueError, retryable } = useIssue(revise, draftKey);

  const request = useMemo(() => buildRequest(form), [form]);
  const body = useMemo(() => JSON.stringify(request), [request]);

  useEffect(() => {
    try {
      localStorage.setItem(draftKey, body);
    } catch {
      /* no storage: no draft */
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      setLoading(true);
      call<PreviewResponse>("POST", "estimate/preview", { body: request, signal: ctl.signal })
        .then((p) => {
          setPreview(p);
          setPreviewError(null);
        })
        .catch((err) => {
          if ((err as Error).name === "AbortError") return;
          setPreviewError(err instanceof ApiFailure ? err : new ApiFailure(0, { code: "NETWORK", message: String(err), details: [] }));
        })
        .finally(() => {
          if (!ctl.signal.aborted) setLoading(false);
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [body, request, draftKey]);

  // Field errors come from the last answer about this body: the issue's, else the preview's.
  const activeError = issueError instanceof ApiFailure && !issueError.retryable ? issueError : previewError;
  const byField = useMemo(
    () => fieldsForDetails((activeError?.body.details ?? []) as ErrorDetail[], knownField(form)),
    [activeError, form],
  );
  const errorsFor = (key: string): ErrorDetail[] => byField.get(key) ?? [];

  const update = (fn: (f: RequestForm) => RequestForm) => {
    setForm((f) => fn(f));
    clearIssueError();
  };


  const applyJson = (text: string) => {
    try {
      setForm(formFromRequest(JSON.parse(text)));
      setPasteOpen(false);
      setPasteError("");
      clearIssueError();
    } catch {
      setPasteError(t("json_invalid"));
    }
  };

  const download = () => {
    const blob = new Blob([JSON.stringify(request, null, 2) + "\n"], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${form.customer.project || "request"}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  const drawingUrl = useMemo(
    () => (preview?.drawing_svg ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(preview.drawing_svg)}` : null),
    [preview?.drawing_svg],
  );

  const unplaced = errorsFor("");

  return (
    <div className="request-page">
      <div className="form-col">
        <h1>{revise ? t("revise_title") : t("request_title")}</h1>
        {revise && <ReviseOf quoteId={revise} />}
        <div className="toolbar">
          <button type="button" onClick={() => setPasteOpen((o) => !o)} aria-expanded={pasteOpen}>
            {t("paste_json")}
          </button>
          <label className="button">
            {t("upload_json")}
            <input
              type="file"
              accept="application/json,.json"
              className="sr-only"
              data-testid="upload-json"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file) void file.text().then(applyJson);
                e.target.value = "";
              }}
            />
          </label>
          <button type="button" onClick={download}>
            {t("download_json")}
          </button>
          <button type="button" onClick={() => update(() => emptyForm())}>
            {t("reset_form")}
          </button>
        </div>
        {pasteOpen && (
          <div className="paste">
            <label htmlFor="paste-json">{t("paste_json")}</label>
            <textarea id="paste-json" rows={8} value={pasteText} onChange={(e) => setPasteText(e.target.value)} />
            {pasteError && (
              <p className="field-error" role="alert">
                {pasteError}
              </p>
            )}
            <button type="button" className="primary" onClick={() => applyJson(pasteText)}>
              {t("apply")}
            </button>
          </div>
        )}

        {unplaced.length > 0 && activeError && (
          <div className="error" role="alert" data-testid="form-error">
            <strong>{errorMessage(activeError.code, lang)}</strong> {activeError.body.message}
          </div>
        )}

        <PanelForm form={form} update={update} errorsFor={errorsFor} code={activeError?.code} />
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
          <button type="button" className="primary big" data-testid="issue" onClick={() => void issue(request, body)} disabled={issuing} aria-busy={issuing}>
            {issuing ? t("issuing") : retryable ? t("issue_retry") : revise ? t("issue_revision") : t("issue")}
          </button>
        </div>
        {previewError && !issueError && <ErrorBox error={previewError} />}
        {!preview && !previewError && <p className="muted">{t("preview_idle")}</p>}
        {preview && (
          <div className={previewError ? "stale" : undefined} data-testid="preview">
            <p>
              <StatusBadge status={preview.status} />
            </p>
            <BoxSummary enclosure={preview.enclosure} />
            <h3>{t("phase_balance")}</h3>
            <PhaseBars balance={preview.phase_balance} />
            <h3>{t("totals")}</h3>
            <TotalsTable totals={preview.totals} />
            <h3>{t("lint")}</h3>
            <LintList lint={preview.lint} />
            <h3>{t("drawing")}</h3>
            <Drawing src={drawingUrl} title={t("drawing")} />
          </div>
        )}
      </aside>
    </div>
  );
}

