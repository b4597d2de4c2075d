import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { ApiFailure, call, newIdempotencyKey, type EstimateResponse, type PreviewResponse } from "../api/client";
import { ErrorBox, Section, StatusBadge } from "../components/common";
import { BoxSummary, Drawing, LintList, PhaseBars, TotalsTable } from "../components/QuoteViews";
import { errorMessage, useLang, useT } from "../i18n";
import {
  ACCESSORY_KINDS,
  addRow,
  attemptAfter,
  attemptFor,
  buildRequest,
  copyRow,
  deleteRow,
  emptyBranch,
  emptyForm,
  fieldId,
  fieldsForDetails,
  formFromRequest,
  knownField,
  moveRow,
  newId,
  phaseChoices,
  type BranchRow,
  type ErrorDetail,
  type IssueAttempt,
  type RequestForm,
} from "../request";
import { navigate } from "../router";

const DRAFT_KEY = "kis.draft";
const PREVIEW_DELAY_MS = 400;

function loadDraft(): RequestForm {
  try {
    const raw = localStorage.getItem(DRAFT_KEY);
    if (raw) return formFromRequest(JSON.parse(raw));
  } catch {
    /* a broken draft starts a new form */
  }
  return emptyForm();
}

export function RequestPage() {
  const t = useT();
  const lang = useLang();
  const [form, setForm] = useState<RequestForm>(loadDraft);
  const [preview, setPreview] = useState<PreviewResponse | null>(null);
  const [previewError, setPreviewError] = useState<ApiFailure | null>(null);
  const [loading, setLoading] = useState(false);
  const [issueError, setIssueError] = useState<unknown>(null);
  const [issuing, setIssuing] = useState(false);
  const [pasteOpen, setPasteOpen] = useState(false);
  const [pasteText, setPasteText] = useState("");
  const [pasteError, setPasteError] = useState("");
  // One Idempotency-Key per issue attempt: kept for a retry of the same body, dropped when
  // the request changes or the quote is stored.
  const attempt = useRef<IssueAttempt | null>(null);
  const inFlight = useRef(false);

  const request = useMemo(() => buildRequest(form), [form]);
  const body = useMemo(() => JSON.stringify(request), [request]);

  useEffect(() => {
    try {
      localStorage.setItem(DRAFT_KEY, body);
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
  }, [body, request]);

  // Field errors come from the last answer about this body: the issue's, else the preview's.
  const activeError = issueError instanceof ApiFailure && !issueError.retryable ? issueError : previewError;
  const byField = useMemo(
    () => fieldsForDetails((activeError?.body.details ?? []) as ErrorDetail[], knownField(form)),
    [activeError, form],
  );
  const errorsFor = (key: string): ErrorDetail[] => byField.get(key) ?? [];

  const update = (fn: (f: RequestForm) => RequestForm) => {
    setForm((f) => fn(f));
    setIssueError(null);
  };

  const issue = async () => {
    if (inFlight.current) return; // a double click issues one quote
    inFlight.current = true;
    setIssuing(true);
    setIssueError(null);
    const current = attemptFor(attempt.current, body, newIdempotencyKey);
    attempt.current = current;
    try {
      const quote = await call<EstimateResponse>("POST", "estimate", {
        body: request,
        headers: { "Idempotency-Key": current.key },
      });
      attempt.current = attemptAfter(current, "stored");
      navigate(`/quotes/${encodeURIComponent(quote.quote_id)}`);
    } catch (err) {
      setIssueError(err);
      const retryable = !(err instanceof ApiFailure) || err.retryable;
      attempt.current = attemptAfter(current, retryable ? "retryable" : "refused");
    } finally {
      inFlight.current = false;
      setIssuing(false);
    }
  };

  const applyJson = (text: string) => {
    try {
      setForm(formFromRequest(JSON.parse(text)));
      setPasteOpen(false);
      setPasteError("");
      setIssueError(null);
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
  const retryable = issueError instanceof ApiFailure && issueError.retryable;

  return (
    <div className="request-page">
      <div className="form-col">
        <h1>{t("request_title")}</h1>
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

        <Section title={t("panel")}>
          <div className="grid">
            <Field k="brand" label={t("brand")} errors={errorsFor("brand")} code={activeError?.code}>
              <select id={fieldId("brand")} value={form.brand} onChange={(e) => update((f) => ({ ...f, brand: e.target.value }))}>
                <option value="SANGDO">SANGDO (상도)</option>
                <option value="LS">LS</option>
                <option value="MIXED">{t("brand_mixed")}</option>
              </select>
            </Field>
            <Field k="form" label={t("form")} errors={errorsFor("form")} code={activeError?.code}>
              <select id={fieldId("form")} value={form.form} onChange={(e) => update((f) => ({ ...f, form: e.target.value }))}>
                <option value="ECONOMIC">{t("form_economic")}</option>
                <option value="STANDARD">{t("form_standard")}</option>
              </select>
            </Field>
            <Field k="installation.location" label={t("location")} errors={errorsFor("installation.location")} code={activeError?.code}>
              <select
                id={fieldId("installation.location")}
                value={form.location}
                onChange={(e) => update((f) => ({ ...f, location: e.target.value }))}
              >
                <option value="INDOOR">{t("indoor")}</option>
                <option value="OUTDOOR">{t("outdoor")}</option>
              </select>
            </Field>
            <Field k="installation.mount" label={t("mount")} errors={errorsFor("installation.mount")} code={activeError?.code}>
              <select id={fieldId("installation.mount")} value={form.mount} onChange={(e) => update((f) => ({ ...f, mount: e.target.value }))}>
                <option value="SURFACE">{t("mount_surface")}</option>
                <option value="FLUSH">{t("mount_flush")}</option>
                <option value="STANDALONE">{t("mount_standalone")}</option>
                <option value="POLE">{t("mount_pole")}</option>
              </select>
            </Field>
            <Field k="installation.material" label={t("material")} errors={errorsFor("installation.material")} code={activeError?.code}>
              <select
                id={fieldId("installation.material")}
                value={form.material}
                onChange={(e) => update((f) => ({ ...f, material: e.target.value }))}
              >
                <option value="STEEL">{t("steel")}</option>
                <option value="SUS">{t("sus")}</option>
              </select>
            </Field>
            <Field k="device.type" label={t("device_type")} errors={errorsFor("device.type")} code={activeError?.code}>
              <select id={fieldId("device.type")} value={form.deviceType} onChange={(e) => update((f) => ({ ...f, deviceType: e.target.value }))}>
                <option value="MCCB">MCCB</option>
                <option value="ELB">ELB</option>
              </select>
            </Field>
          </div>
        </Section>

        <Section title={t("main")}>
          {errorsFor("main").length > 0 && <FieldErrors k="main" errors={errorsFor("main")} code={activeError?.code} />}
          <div className="grid">
            {(["model", "af", "at"] as const).map((k) => (
              <Field key={k} k={`main.${k}`} label={t(k)} errors={errorsFor(`main.${k}`)} code={activeError?.code}>
                <input
                  id={fieldId(`main.${k}`)}
                  value={form.main[k]}
                  inputMode={k === "model" ? "text" : "numeric"}
                  onChange={(e) => update((f) => ({ ...f, main: { ...f.main, [k]: e.target.value } }))}
                />
              </Field>
            ))}
            <Field k="main.poles" label={t("poles")} errors={errorsFor("main.poles")} code={activeError?.code}>
              <select id={fieldId("main.poles")} value={form.main.poles} onChange={(e) => update((f) => ({ ...f, main: { ...f.main, poles: e.target.value } }))}>
                <option value="2P">2P</option>
                <option value="3P">3P</option>
                <option value="4P">4P</option>
              </select>
            </Field>
            <Field k="main.type" label={t("type")} errors={errorsFor("main.type")} code={activeError?.code}>
              <select id={fieldId("main.type")} value={form.main.type} onChange={(e) => update((f) => ({ ...f, main: { ...f.main, type: e.target.value } }))}>
                <option value="">{t("type_default")}</option>
                <option value="MCCB">MCCB</option>
                <option value="ELB">ELB</option>
              </select>
            </Field>
          </div>
        </Section>

        <Section title={t("branches")}>
          <FieldErrors k="branches" errors={errorsFor("branches")} code={activeError?.code} />
          <BranchTable form={form} update={update} errorsFor={errorsFor} code={activeError?.code} />
          <button type="button" data-testid="add-branch" onClick={() => update((f) => ({ ...f, branches: addRow(f.branches, emptyBranch()) }))}>
            + {t("add_row")}
          </button>
        </Section>

        <Section title={t("accessories")}>
          <label className="check">
            <input
              id={fieldId("accessories.enabled")}
              type="checkbox"
              checked={form.accessoriesEnabled}
              onChange={(e) => update((f) => ({ ...f, accessoriesEnabled: e.target.checked }))}
            />
            {t("accessories_enabled")}
          </label>
          <FieldErrors k="accessories" errors={[...errorsFor("accessories"), ...errorsFor("accessories.enabled"), ...errorsFor("accessories.items")]} code={activeError?.code} />
          {form.accessoriesEnabled && (
            <>
              <table className="rows">
                <thead>
                  <tr>
                    <th scope="col">{t("kind")}</th>
                    <th scope="col">{t("model")}</th>
                    <th scope="col">{t("qty")}</th>
                    <th scope="col">{t("actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {form.accessories.map((a, i) => (
                    <tr key={a.id}>
                      {(["kind", "model", "qty"] as const).map((k) => (
                        <td key={k}>
                          {k === "kind" ? (
                            <select
                              id={fieldId(`accessories.items.${i}.kind`)}
                              aria-label={`${t("kind")} ${i + 1}`}
                              value={a.kind}
                              onChange={(e) => update((f) => ({ ...f, accessories: f.accessories.map((x, j) => (j === i ? { ...x, kind: e.target.value } : x)) }))}
                            >
                              {ACCESSORY_KINDS.map((kind) => (
                                <option key={kind} value={kind}>
                                  {kind}
                                </option>
                              ))}
                            </select>
                          ) : (
                            <input
                              id={fieldId(`accessories.items.${i}.${k}`)}
                              aria-label={`${t(k)} ${i + 1}`}
                              value={a[k]}
                              onChange={(e) => update((f) => ({ ...f, accessories: f.accessories.map((x, j) => (j === i ? { ...x, [k]: e.target.value } : x)) }))}
                            />
                          )}
                          <FieldErrors k={`accessories.items.${i}.${k}`} errors={errorsFor(`accessories.items.${i}.${k}`)} code={activeError?.code} />
                        </td>
                      ))}
                      <td>
                        <button type="button" onClick={() => update((f) => ({ ...f, accessories: deleteRow(f.accessories, i) }))}>
                          {t("delete_row")}
                        </button>
                        <FieldErrors k={`accessories.items.${i}`} errors={errorsFor(`accessories.items.${i}`)} code={activeError?.code} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <button
                type="button"
                onClick={() => update((f) => ({ ...f, accessories: addRow(f.accessories, { id: newId("a"), kind: "magnet", model: "MC-22", qty: "1" }) }))}
              >
                + {t("add_item")}
              </button>
            </>
          )}
        </Section>

        <Section title={t("options")}>
          <div className="grid">
            <label className="check">
              <input
                id={fieldId("options.allow_mixed_brand")}
                type="checkbox"
                checked={form.allowMixedBrand}
                onChange={(e) => update((f) => ({ ...f, allowMixedBrand: e.target.checked }))}
              />
              {t("allow_mixed_brand")}
            </label>
            <Field k="options.p_cover" label={t("p_cover")} errors={errorsFor("options.p_cover")} code={activeError?.code}>
              <select id={fieldId("options.p_cover")} value={form.pCover} onChange={(e) => update((f) => ({ ...f, pCover: e.target.value }))}>
                <option value="ACRYLIC">{t("acrylic")}</option>
                <option value="STEEL">{t("steel")}</option>
              </select>
            </Field>
          </div>
        </Section>

        <Section title={t("customer")}>
          <div className="grid">
            {(
              [
                ["name", "customer_name"],
                ["project", "project"],
                ["project_number", "project_number"],
                ["contact", "contact"],
              ] as const
            ).map(([k, label]) => (
              <Field key={k} k={`customer.${k}`} label={t(label)} errors={errorsFor(`customer.${k}`)} code={activeError?.code}>
                <input
                  id={fieldId(`customer.${k}`)}
                  value={form.customer[k]}
                  onChange={(e) => update((f) => ({ ...f, customer: { ...f.customer, [k]: e.target.value } }))}
                />
              </Field>
            ))}
          </div>
        </Section>
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
          <button type="button" className="primary big" data-testid="issue" onClick={() => void issue()} disabled={issuing} aria-busy={issuing}>
            {issuing ? t("issuing") : retryable ? t("issue_retry") : t("issue")}
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

function FieldErrors({ k, errors, code }: { k: string; errors: ErrorDetail[]; code?: string }) {
  const lang = useLang();
  if (!errors.length) return null;
  return (
    <p className="field-error" id={`${fieldId(k)}-error`} data-testid={`error-${k}`} role="alert">
      {errorMessage(code ?? "VALIDATION_FAILED", lang)}{" "}
      <small>
        {errors
          .map((d) => (typeof d.msg === "string" ? d.msg : ""))
          .filter(Boolean)
          .join("; ")}
      </small>
    </p>
  );
}

function Field({ k, label, errors, code, children }: { k: string; label: string; errors: ErrorDetail[]; code?: string; children: ReactNode }) {
  return (
    <div className={errors.length ? "field invalid" : "field"}>
      <label htmlFor={fieldId(k)}>{label}</label>
      {children}
      <FieldErrors k={k} errors={errors} code={code} />
    </div>
  );
}

function BranchTable({
  form,
  update,
  errorsFor,
  code,
}: {
  form: RequestForm;
  update: (fn: (f: RequestForm) => RequestForm) => void;
  errorsFor: (key: string) => ErrorDetail[];
  code?: string;
}) {
  const t = useT();
  const set = (i: number, patch: Partial<BranchRow>) =>
    update((f) => ({ ...f, branches: f.branches.map((b, j) => (j === i ? { ...b, ...patch } : b)) }));
  const cols = ["model", "af", "at", "poles", "qty", "type", "load_a", "phase", "label"] as const;
  return (
    <div className="table-wrap">
      <table className="rows branches" data-testid="branches">
        <thead>
          <tr>
            <th scope="col">{t("row_no")}</th>
            {cols.map((c) => (
              <th scope="col" key={c}>
                {t(c)}
              </th>
            ))}
            <th scope="col">{t("spare")}</th>
            <th scope="col">{t("actions")}</th>
          </tr>
        </thead>
        <tbody>
          {form.branches.map((b, i) => {
            const rowErrors = errorsFor(`branches.${i}`);
            return (
              <tr key={b.id} className={rowErrors.length ? "invalid" : undefined} data-testid={`branch-${i}`}>
                <th scope="row">{i + 1}</th>
                {cols.map((c) => {
                  const key = `branches.${i}.${c}`;
                  const errs = errorsFor(key);
                  const aria = `${t(c)} ${i + 1}`;
                  let input: ReactNode;
                  if (c === "poles") {
                    input = (
                      <select id={fieldId(key)} aria-label={aria} value={b.poles} onChange={(e) => set(i, { poles: e.target.value, phase: "" })}>
                        <option value="2P">2P</option>
                        <option value="3P">3P</option>
                        <option value="4P">4P</option>
                      </select>
                    );
                  } else if (c === "type") {
                    input = (
                      <select id={fieldId(key)} aria-label={aria} value={b.type} onChange={(e) => set(i, { type: e.target.value })}>
                        <option value="">{t("type_default")}</option>
                        <option value="MCCB">MCCB</option>
                        <option value="ELB">ELB</option>
                      </select>
                    );
                  } else if (c === "phase") {
                    const choices = phaseChoices(form.main.poles, b.poles);
                    input = (
                      <select id={fieldId(key)} aria-label={aria} value={b.phase} disabled={!choices.length && !b.phase} onChange={(e) => set(i, { phase: e.target.value })}>
                        <option value="">{t("phase_auto")}</option>
                        {[...choices, ...(b.phase && !choices.includes(b.phase) ? [b.phase] : [])].map((p) => (
                          <option key={p} value={p}>
                            {p}
                          </option>
                        ))}
                      </select>
                    );
                  } else {
                    input = (
                      <input
                        id={fieldId(key)}
                        aria-label={aria}
                        aria-invalid={errs.length ? true : undefined}
                        aria-describedby={errs.length ? `${fieldId(key)}-error` : undefined}
                        value={c === "load_a" && b.spare ? "0" : b[c]}
                        disabled={c === "load_a" && b.spare}
                        className={c === "label" || c === "model" ? "wide" : "narrow"}
                        inputMode={c === "label" || c === "model" ? "text" : "decimal"}
                        onChange={(e) => set(i, { [c]: e.target.value } as Partial<BranchRow>)}
                      />
                    );
                  }
                  return (
                    <td key={c} className={errs.length ? "invalid" : undefined}>
                      {input}
                      <FieldErrors k={key} errors={errs} code={code} />
                    </td>
                  );
                })}
                <td>
                  <input type="checkbox" aria-label={`${t("spare")} ${i + 1}`} checked={b.spare} onChange={(e) => set(i, { spare: e.target.checked })} />
                </td>
                <td className="row-actions">
                  <button type="button" aria-label={`${t("move_up")} ${i + 1}`} disabled={i === 0} onClick={() => update((f) => ({ ...f, branches: moveRow(f.branches, i, -1) }))}>
                    ↑
                  </button>
                  <button
                    type="button"
                    aria-label={`${t("move_down")} ${i + 1}`}
                    disabled={i === form.branches.length - 1}
                    onClick={() => update((f) => ({ ...f, branches: moveRow(f.branches, i, 1) }))}
                  >
                    ↓
                  </button>
                  <button type="button" aria-label={`${t("copy_row")} ${i + 1}`} onClick={() => update((f) => ({ ...f, branches: copyRow(f.branches, i) }))}>
                    {t("copy_row")}
                  </button>
                  <button
                    type="button"
                    aria-label={`${t("delete_row")} ${i + 1}`}
                    data-testid={`delete-branch-${i}`}
                    onClick={() => update((f) => ({ ...f, branches: deleteRow(f.branches, i) }))}
                  >
                    {t("delete_row")}
                  </button>
                  <FieldErrors k={`branches.${i}`} errors={rowErrors} code={code} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

