// The project editor's state (several panels, each ×qty, under one customer and project)
// and its translation to a project body of estimator_core.project, and the API's error
// details (panels.3.request.branches.1.at) back to the panel and field they name.
import { buildRequest, emptyForm, formFromRequest, locPath, newId, type ErrorDetail, type RequestForm } from "./request";

export interface PanelEntry {
  id: string;
  name: string;
  qty: string;
  form: RequestForm;
}

export interface ProjectForm {
  customer: string;
  name: string;
  number: string;
  panels: PanelEntry[];
}

export const PROJECT_DRAFT_KEY = "kis.project-draft";

export function newPanel(name: string, form: RequestForm = emptyForm()): PanelEntry {
  return { id: newId("p"), name, qty: "1", form };
}

export function emptyProject(): ProjectForm {
  return { customer: "", name: "", number: "", panels: [newPanel("LP-1")] };
}

/** A panel name not yet used: "LP-1" → "LP-2" (the next free number of its prefix). */
export function nextName(panels: PanelEntry[], base = "LP-1"): string {
  const names = new Set(panels.map((p) => p.name));
  const m = /^(.*?)(\d+)$/.exec(base);
  const prefix = m ? m[1] : `${base}-`;
  let n = m ? Number(m[2]) : 1;
  while (names.has(`${prefix}${n}`)) n += 1;
  return `${prefix}${n}`;
}

/** Panel ``index`` copied right after it, under a free name, its form deep-copied. */
export function copyPanel(panels: PanelEntry[], index: number): PanelEntry[] {
  const src = panels[index];
  const copy = newPanel(nextName(panels, src.name), formFromRequest(JSON.parse(JSON.stringify(buildRequest(src.form)))));
  copy.qty = src.qty;
  return [...panels.slice(0, index + 1), copy, ...panels.slice(index + 1)];
}

function qtyOf(text: string): number | string {
  const s = text.trim();
  return /^\d+$/.test(s) ? Number(s) : s;
}

/** The body of POST /estimate(/preview): panels without a customer take the project's. */
export function buildProject(p: ProjectForm): Record<string, unknown> {
  const project: Record<string, unknown> = { customer: { name: p.customer.trim() }, name: p.name.trim() };
  if (p.number.trim()) project.number = p.number.trim();
  return {
    project,
    panels: p.panels.map((panel) => {
      const request = buildRequest(panel.form);
      delete request.customer;
      return { name: panel.name.trim(), qty: qtyOf(panel.qty), request };
    }),
  };
}

/** A project body (pasted, or stored) as editor state. */
export function projectFromBody(data: unknown): ProjectForm {
  const body = (data ?? {}) as { project?: { customer?: { name?: unknown }; name?: unknown; number?: unknown }; panels?: unknown };
  const panels = Array.isArray(body.panels) ? body.panels : [];
  return {
    customer: String(body.project?.customer?.name ?? ""),
    name: String(body.project?.name ?? ""),
    number: String(body.project?.number ?? ""),
    panels: panels.map((raw) => {
      const entry = (raw ?? {}) as { name?: unknown; qty?: unknown; request?: unknown };
      return { id: newId("p"), name: String(entry.name ?? ""), qty: String(entry.qty ?? "1"), form: formFromRequest(entry.request ?? {}) };
    }),
  };
}

/** Where a detail of a project answer belongs. */
export interface PlacedDetail {
  /** The panel's index, or null for the project's own fields. */
  panel: number | null;
  /** The field: inside the panel's request ("branches.1.at"), "name"/"qty" of the panel
   * entry (prefixed "entry."), or the project's ("project.name"). */
  field: string;
  detail: ErrorDetail;
}

export function placeDetail(detail: ErrorDetail): PlacedDetail {
  const path = locPath(detail.loc);
  const m = /^panels\.(\d+)(?:\.(.*))?$/.exec(path);
  if (!m) return { panel: null, field: path, detail };
  const rest = m[2] ?? "";
  if (rest === "request") return { panel: Number(m[1]), field: "", detail };
  if (rest.startsWith("request.")) return { panel: Number(m[1]), field: rest.slice("request.".length), detail };
  return { panel: Number(m[1]), field: rest ? `entry.${rest}` : "entry", detail };
}

/** The details of one panel's request, their loc made relative to the request. */
export function panelDetails(details: ErrorDetail[], panel: number): ErrorDetail[] {
  return details
    .map(placeDetail)
    .filter((p) => p.panel === panel && !p.field.startsWith("entry"))
    .map((p) => ({ ...p.detail, loc: p.field }));
}

/** Indexes of the panels some detail names (the editor marks them in the panel list). */
export function failingPanels(details: ErrorDetail[]): Set<number> {
  return new Set(details.map(placeDetail).flatMap((p) => (p.panel === null ? [] : [p.panel])));
}
