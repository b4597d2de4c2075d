// One panel's request form (RULES.md §1): the sections of a panel request, with each
// API error detail shown at its field. Used by the request page and, per panel, by the
// project editor.
import type { ReactNode } from "react";
import { Section } from "./common";
import { errorMessage, useLang, useT } from "../i18n";
import {
  ACCESSORY_KINDS,
  addRow,
  copyRow,
  deleteRow,
  emptyBranch,
  fieldId,
  moveRow,
  newId,
  phaseChoices,
  type BranchRow,
  type ErrorDetail,
  type RequestForm,
} from "../request";

export interface PanelFormProps {
  form: RequestForm;
  update: (fn: (f: RequestForm) => RequestForm) => void;
  errorsFor: (key: string) => ErrorDetail[];
  code?: string;
  /** A project's panels take the project's customer: no customer section. */
  customer?: boolean;
}

export function PanelForm({ form, update, errorsFor, code, customer = true }: PanelFormProps) {
  const t = useT();
  const activeError = code ? { code } : null;
  return (
    <>
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

        {customer && (
          <>
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
          </>
        )}
    </>
  );
}

export function FieldErrors({ k, errors, code }: { k: string; errors: ErrorDetail[]; code?: string }) {
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

export function Field({ k, label, errors, code, children }: { k: string; label: string; errors: ErrorDetail[]; code?: string; children: ReactNode }) {
  return (
    <div className={errors.length ? "field invalid" : "field"}>
      <label htmlFor={fieldId(k)}>{label}</label>
      {children}
      <FieldErrors k={k} errors={errors} code={code} />
    </div>
  );
}

export function BranchTable({
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

