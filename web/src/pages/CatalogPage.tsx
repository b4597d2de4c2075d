import { useCallback, useEffect, useState, type FormEvent } from "react";
import {
  call,
  type CatalogActivationOut,
  type CatalogImportOut,
  type CatalogValidationOut,
  type CatalogVersionList,
} from "../api/client";
import { useSession } from "../auth";
import { ErrorBox, Section } from "../components/common";
import { formatDateTime, groupThousands, shortHash } from "../format";
import { useT, type TextKey } from "../i18n";

export function CatalogPage() {
  const t = useT();
  const session = useSession();
  const [versions, setVersions] = useState<CatalogVersionList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [label, setLabel] = useState("");
  const [format, setFormat] = useState<"csv" | "json">("csv");
  const [content, setContent] = useState("");
  const [baseLabel, setBaseLabel] = useState("");
  const [imported, setImported] = useState<CatalogImportOut | null>(null);
  const [report, setReport] = useState<CatalogValidationOut | null>(null);
  const [reason, setReason] = useState("");
  const [force, setForce] = useState(false);
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    call<CatalogVersionList>("GET", "catalog/versions").then(setVersions, setError);
  }, []);
  useEffect(refresh, [refresh]);

  if (!session?.admin) {
    return (
      <div className="card" data-testid="catalog-forbidden">
        <h1>{t("catalog_title")}</h1>
        <p>{t("catalog_forbidden")}</p>
      </div>
    );
  }

  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setDone("");
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      refresh();
    }
  };

  const doImport = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const out = await call<CatalogImportOut>("POST", "catalog/import", {
        body: { label, format, content, ...(baseLabel ? { base_label: baseLabel } : {}) },
      });
      setImported(out);
      setReport(null);
      setDone(`${t("imported")}: ${out.label}`);
    });
  };

  const validate = (which: string) =>
    act(async () => {
      setReport(await call<CatalogValidationOut>("POST", "catalog/validate", { body: { label: which } }));
    });

  const activate = (which: string) =>
    act(async () => {
      const out = await call<CatalogActivationOut>("POST", "catalog/activate", {
        body: { label: which, ...(reason.trim() ? { reason } : {}), ...(force ? { force: true } : {}) },
      });
      if (out.validation) setReport(out.validation);
      setDone(`${t("activated")}: ${out.active.label}`);
    });

  const rollback = (which: string) =>
    act(async () => {
      await call("POST", "catalog/rollback", { body: { label: which, reason } });
      setDone(`${t("rolled_back")}: ${which}`);
    });

  return (
    <div className="catalog-page">
      <h1>{t("catalog_title")}</h1>
      <ErrorBox error={error} />
      {done && (
        <p className="ok" role="status" data-testid="catalog-done">
          ✓ {done}
        </p>
      )}
      <Section title={t("versions")} id="versions">
        <div className="grid">
          <div className="field wide">
            <label htmlFor="catalog-reason">{t("reason")}</label>
            <input id="catalog-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <label className="check">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
            {t("force")}
          </label>
        </div>
        <table className="list" data-testid="versions-table">
          <thead>
            <tr>
              <th scope="col">{t("version_label")}</th>
              <th scope="col">{t("status")}</th>
              <th scope="col">SHA-256</th>
              <th scope="col">{t("rows")}</th>
              <th scope="col">{t("created_at")}</th>
              <th scope="col">{t("actions")}</th>
            </tr>
          </thead>
          <tbody>
            {(versions?.items ?? []).map((v) => (
              <tr key={v.id} data-testid={`version-${v.label}`} data-status={v.status}>
                <td>{v.label}</td>
                <td>
                  <span className={`badge badge-${v.status}`}>{t(v.status as TextKey)}</span>
                </td>
                <td className="mono">{shortHash(v.sha256)}</td>
                <td>{Object.entries(v.counts).map(([k, n]) => `${k} ${n}`).join(", ")}</td>
                <td>{formatDateTime(v.created_at)}</td>
                <td className="row-actions">
                  {v.status !== "active" && (
                    <button type="button" disabled={busy} onClick={() => void validate(v.label)}>
                      {t("validate")}
                    </button>
                  )}
                  {v.status === "staging" && (
                    <button type="button" className="primary" data-testid={`activate-${v.label}`} disabled={busy} onClick={() => void activate(v.label)}>
                      {t("activate")}
                    </button>
                  )}
                  {v.status === "retired" && (
                    <button type="button" disabled={busy || !reason.trim()} onClick={() => void rollback(v.label)}>
                      {t("rollback")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title={t("upload_catalog")} id="upload">
        <form onSubmit={doImport} className="grid">
          <div className="field">
            <label htmlFor="catalog-label">{t("version_label")}</label>
            <input id="catalog-label" required value={label} onChange={(e) => setLabel(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="catalog-format">{t("format_label")}</label>
            <select id="catalog-format" value={format} onChange={(e) => setFormat(e.target.value as "csv" | "json")}>
              <option value="csv">CSV</option>
              <option value="json">JSON</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="catalog-base">{t("base_label")}</label>
            <input id="catalog-base" value={baseLabel} onChange={(e) => setBaseLabel(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="catalog-file">{t("file")}</label>
            <input
              id="catalog-file"
              type="file"
              accept=".csv,.json,text/csv,application/json"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (!file) return;
                if (file.name.toLowerCase().endsWith(".json")) setFormat("json");
                void file.text().then(setContent);
              }}
            />
          </div>
          <div className="field full">
            <label htmlFor="catalog-content">{t("content")}</label>
            <textarea id="catalog-content" rows={6} className="mono" value={content} onChange={(e) => setContent(e.target.value)} />
          </div>
          <div>
            <button type="submit" className="primary" disabled={busy || !label || !content} data-testid="catalog-import">
              {t("import")}
            </button>
          </div>
        </form>
        {imported && (
          <table className="list" data-testid="import-changes">
            <caption>{imported.label}</caption>
            <thead>
              <tr>
                <th scope="col">{t("section")}</th>
                <th scope="col">{t("changes_added")}</th>
                <th scope="col">{t("changes_updated")}</th>
                <th scope="col">{t("changes_removed")}</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(imported.changes)
                .filter(([, v]) => v && typeof v === "object")
                .map(([section, v]) => {
                  const c = v as Record<string, unknown>;
                  const list = (x: unknown) => (Array.isArray(x) ? x.join(", ") : "");
                  return (
                    <tr key={section}>
                      <th scope="row">{section}</th>
                      <td>{list(c.added)}</td>
                      <td>{list(c.updated)}</td>
                      <td>{list(c.removed)}</td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        )}
      </Section>

      {report && (
        <Section title={`${t("validation_report")}: ${report.candidate.label}`} id="report">
          <p data-testid="report-passed" data-passed={String(report.passed)}>
            {report.passed ? `✓ ${t("passed")}` : `✗ ${t("failed")}`} ·{" "}
            {Object.entries(report.summary)
              .map(([k, n]) => `${k} ${n}`)
              .join(" · ")}
          </p>
          <div className="table-wrap">
            <table className="list" data-testid="report-table">
              <thead>
                <tr>
                  <th scope="col">{t("case")}</th>
                  <th scope="col">{t("verdict")}</th>
                  <th scope="col">{t("changes")}</th>
                </tr>
              </thead>
              <tbody>
                {report.cases
                  .filter((c) => c.verdict !== "unchanged")
                  .map((c) => (
                    <tr key={c.name} className={`verdict-${c.verdict}`}>
                      <td>{c.name}</td>
                      <td>{c.verdict}</td>
                      <td>
                        {Object.entries(c.changes)
                          .map(([k, v]) => `${k}: ${describeChange(v)}`)
                          .join("; ")}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        </Section>
      )}
    </div>
  );
}

/** A change of the validation report: [before, after] → "before → after". */
export function describeChange(v: unknown): string {
  const show = (x: unknown) => (typeof x === "number" ? groupThousands(x) : x === null ? "—" : String(x));
  if (Array.isArray(v) && v.length === 2) return `${show(v[0])} → ${show(v[1])}`;
  return JSON.stringify(v);
}
