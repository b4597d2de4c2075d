// The request form's state, and its translation to and from a request of RULES.md §1.
// Inputs keep what the estimator typed (strings); the request sends numbers where the
// text is a number and the raw text otherwise, so the API — the one judge of a request —
// names the field in details[].loc.

/** Where the request page keeps its draft (and "copy into a new request" puts one). */
export const DRAFT_KEY = "kis.draft";

export type Brand = "SANGDO" | "LS" | "MIXED";
export type Poles = "2P" | "3P" | "4P";

export interface BranchRow {
  id: string;
  model: string;
  af: string;
  at: string;
  poles: string;
  qty: string;
  type: string; // "" = the panel's device type
  load_a: string; // "" = the rating
  spare: boolean; // load_a 0
  phase: string; // "" = balanced by the solver
  label: string;
}

export interface AccessoryRow {
  id: string;
  kind: string;
  model: string;
  qty: string;
}

export interface RequestForm {
  brand: string;
  form: string;
  location: string;
  mount: string;
  material: string;
  deviceType: string;
  main: { model: string; af: string; at: string; poles: string; type: string };
  branches: BranchRow[];
  accessoriesEnabled: boolean;
  accessories: AccessoryRow[];
  allowMixedBrand: boolean;
  pCover: string;
  customer: { name: string; project: string; project_number: string; contact: string };
}

export const ACCESSORY_KINDS = [
  "magnet",
  "timer_24h",
  "sunset_timer",
  "meter_1ph",
  "meter_3ph",
  "meter_ct",
  "spd",
  "pbl",
] as const;

let seq = 0;
export function newId(prefix = "r"): string {
  seq += 1;
  return `${prefix}${seq}`;
}

export function emptyBranch(): BranchRow {
  return {
    id: newId("b"),
    model: "",
    af: "",
    at: "",
    poles: "2P",
    qty: "1",
    type: "",
    load_a: "",
    spare: false,
    phase: "",
    label: "",
  };
}

export function emptyForm(): RequestForm {
  return {
    brand: "SANGDO",
    form: "ECONOMIC",
    location: "INDOOR",
    mount: "SURFACE",
    material: "STEEL",
    deviceType: "MCCB",
    main: { model: "", af: "", at: "", poles: "4P", type: "" },
    branches: [emptyBranch()],
    accessoriesEnabled: false,
    accessories: [],
    allowMixedBrand: false,
    pCover: "ACRYLIC",
    customer: { name: "", project: "", project_number: "", contact: "" },
  };
}

/** A number when the text is one ("75", " 75 ", "7.5"), else the trimmed text. */
export function numberOrText(text: string): number | string {
  const s = text.trim();
  if (s !== "" && /^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  return s;
}

type Json = Record<string, unknown>;

function put(target: Json, key: string, text: string, numeric = false): void {
  const s = text.trim();
  if (s === "") return;
  target[key] = numeric ? numberOrText(s) : s;
}

/** The request body the API receives: empty inputs are left out (the API's defaults apply). */
export function buildRequest(f: RequestForm): Json {
  const main: Json = {};
  put(main, "model", f.main.model);
  put(main, "af", f.main.af, true);
  put(main, "at", f.main.at, true);
  put(main, "poles", f.main.poles);
  put(main, "type", f.main.type);
  const branches = f.branches.map((b) => {
    const out: Json = {};
    put(out, "model", b.model);
    put(out, "af", b.af, true);
    put(out, "at", b.at, true);
    put(out, "poles", b.poles);
    put(out, "qty", b.qty, true);
    put(out, "type", b.type);
    if (b.spare) out.load_a = 0;
    else put(out, "load_a", b.load_a, true);
    put(out, "phase", b.phase);
    put(out, "label", b.label);
    return out;
  });
  const req: Json = {
    brand: f.brand,
    form: f.form,
    installation: { location: f.location, mount: f.mount, material: f.material },
    device: { type: f.deviceType },
    main,
    branches,
  };
  const items = f.accessories.map((a) => {
    const out: Json = {};
    put(out, "kind", a.kind);
    put(out, "model", a.model);
    put(out, "qty", a.qty, true);
    return out;
  });
  req.accessories = { enabled: f.accessoriesEnabled, items: f.accessoriesEnabled ? items : [] };
  const options: Json = {};
  if (f.allowMixedBrand) options.allow_mixed_brand = true;
  if (f.pCover && f.pCover !== "ACRYLIC") options.p_cover = f.pCover;
  if (Object.keys(options).length) req.options = options;
  const customer: Json = {};
  put(customer, "name", f.customer.name);
  put(customer, "project", f.customer.project);
  put(customer, "project_number", f.customer.project_number);
  put(customer, "contact", f.customer.contact);
  if (Object.keys(customer).length) req.customer = customer;
  return req;
}

function text(v: unknown): string {
  if (v === null || v === undefined) return "";
  return String(v);
}

function obj(v: unknown): Json {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {};
}

function poles(v: unknown, fallback: string): string {
  if (v === null || v === undefined || v === "") return fallback;
  const s = String(v).trim().toUpperCase();
  return /^\d$/.test(s) ? `${s}P` : s;
}

/** A request (pasted or uploaded) as form state; throws on what the form cannot hold. */
export function formFromRequest(data: unknown): RequestForm {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new Error("a request is a JSON object");
  }
  const r = data as Json;
  const base = emptyForm();
  const inst = obj(r.installation);
  const main = obj(r.main);
  const acc = obj(r.accessories);
  const options = obj(r.options);
  const customer = obj(r.customer);
  const branches = Array.isArray(r.branches) ? r.branches.map(obj) : [];
  const items = Array.isArray(acc.items) ? acc.items.map(obj) : [];
  return {
    brand: text(r.brand) || base.brand,
    form: text(r.form) || base.form,
    location: text(inst.location) || base.location,
    mount: text(inst.mount) || base.mount,
    material: text(inst.material) || base.material,
    deviceType: text(obj(r.device).type) || base.deviceType,
    main: {
      model: text(main.model),
      af: text(main.af),
      at: text(main.at),
      poles: poles(main.poles, base.main.poles),
      type: text(main.type),
    },
    branches: branches.map((b) => ({
      id: newId("b"),
      model: text(b.model),
      af: text(b.af),
      at: text(b.at),
      poles: poles(b.poles, "2P"),
      qty: text(b.qty),
      type: text(b.type),
      load_a: b.load_a === 0 || b.load_a === "0" ? "" : text(b.load_a),
      spare: b.load_a === 0 || b.load_a === "0",
      phase: text(b.phase),
      label: text(b.label),
    })),
    accessoriesEnabled: acc.enabled === undefined || acc.enabled === null ? items.length > 0 : Boolean(acc.enabled),
    accessories: items.map((a) => ({ id: newId("a"), kind: text(a.kind), model: text(a.model), qty: text(a.qty) })),
    allowMixedBrand: Boolean(options.allow_mixed_brand),
    pCover: text(options.p_cover) || base.pCover,
    customer: {
      name: text(customer.name),
      project: text(customer.project),
      project_number: text(customer.project_number),
      contact: text(customer.contact),
    },
  };
}

// -- rows ------------------------------------------------------------------------------

export function addRow<T>(rows: T[], row: T): T[] {
  return [...rows, row];
}

export function copyRow(rows: BranchRow[], index: number): BranchRow[] {
  const copy = { ...rows[index], id: newId("b") };
  return [...rows.slice(0, index + 1), copy, ...rows.slice(index + 1)];
}

export function deleteRow<T>(rows: T[], index: number): T[] {
  return rows.filter((_, i) => i !== index);
}

/** Moves row ``index`` by ``delta`` (−1 up, +1 down); out of range changes nothing. */
export function moveRow<T>(rows: T[], index: number, delta: number): T[] {
  const to = index + delta;
  if (to < 0 || to >= rows.length || index < 0 || index >= rows.length) return rows;
  const out = [...rows];
  [out[index], out[to]] = [out[to], out[index]];
  return out;
}

/** Phase pins a branch may take under a main of these poles (RULES.md §1). */
export function phaseChoices(mainPoles: string, branchPoles: string): string[] {
  if (branchPoles !== "2P") return [];
  if (mainPoles === "4P") return ["R", "S", "T"];
  if (mainPoles === "3P") return ["RS", "ST", "TR"];
  return [];
}

// -- errors next to fields -------------------------------------------------------------

export interface ErrorDetail {
  loc?: unknown;
  msg?: unknown;
  [key: string]: unknown;
}

/** A detail's loc as a dotted path: "branches.1.at", ["branches", 1, "at"] → same. */
export function locPath(loc: unknown): string {
  if (Array.isArray(loc)) return loc.filter((p) => p !== "body").map(String).join(".");
  if (typeof loc === "string" || typeof loc === "number") return String(loc).replace(/^body\./, "");
  return "";
}

/**
 * Which form field each detail belongs to: its loc if the form has that field, else the
 * nearest enclosing field the form has ("branches.0.model.x" → "branches.0.model",
 * "branches.0" → the row), else "" (shown above the form).
 */
export function fieldsForDetails(details: ErrorDetail[], known: (key: string) => boolean): Map<string, ErrorDetail[]> {
  const out = new Map<string, ErrorDetail[]>();
  for (const d of details) {
    let path = locPath(d.loc);
    while (path && !known(path)) {
      const cut = path.lastIndexOf(".");
      path = cut < 0 ? "" : path.slice(0, cut);
    }
    out.set(path, [...(out.get(path) ?? []), d]);
  }
  return out;
}

const FIELD_RE = [
  /^(brand|form|main|branches|accessories|customer|options|installation|device)$/,
  /^installation\.(location|mount|material)$/,
  /^device\.type$/,
  /^main\.(model|af|at|poles|type)$/,
  /^branches\.\d+$/,
  /^branches\.\d+\.(model|af|at|poles|qty|type|load_a|phase|label)$/,
  /^accessories\.(enabled|items)$/,
  /^accessories\.items\.\d+(\.(kind|model|qty))?$/,
  /^options\.(allow_mixed_brand|p_cover)$/,
  /^customer\.(name|project|project_number|contact)$/,
];

/** The form's field keys for a form with these many rows. */
export function knownField(f: RequestForm): (key: string) => boolean {
  return (key) => {
    if (!FIELD_RE.some((re) => re.test(key))) return false;
    const b = /^branches\.(\d+)/.exec(key);
    if (b && Number(b[1]) >= f.branches.length) return false;
    const a = /^accessories\.items\.(\d+)/.exec(key);
    if (a && Number(a[1]) >= f.accessories.length) return false;
    return true;
  };
}

/** The id of the input for a field key (the element an error message describes). */
export function fieldId(key: string): string {
  return `f-${key.replace(/\./g, "-")}`;
}

// -- issuing ---------------------------------------------------------------------------

/** One issue attempt: the Idempotency-Key and the body it was used with. */
export interface IssueAttempt {
  key: string;
  body: string;
}

/**
 * The attempt to send ``body`` under: the previous one when it is for the same body (a
 * retry must reuse its key, so the server stores one quote), else a fresh key.
 */
export function attemptFor(previous: IssueAttempt | null, body: string, mint: () => string): IssueAttempt {
  return previous && previous.body === body ? previous : { key: mint(), body };
}

/** What to keep after an attempt ended: nothing after a success or a definite refusal. */
export function attemptAfter(attempt: IssueAttempt, outcome: "stored" | "refused" | "retryable"): IssueAttempt | null {
  return outcome === "retryable" ? attempt : null;
}
