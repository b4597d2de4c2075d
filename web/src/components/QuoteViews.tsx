// Pieces of a quote shown by the preview and by the quote page.
import { formatAmps, formatKRW, formatPercent } from "../format";
import { useT, type TextKey } from "../i18n";

type Dict = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function BoxSummary({ enclosure }: { enclosure: Dict }) {
  const t = useT();
  const box = (enclosure.box ?? {}) as Dict;
  const req = (enclosure.required ?? {}) as Dict;
  return (
    <dl className="kv" data-testid="box">
      <dt>{t("box")}</dt>
      <dd data-testid="box-model">{String(box.model ?? "—")}</dd>
      <dt>{t("size")}</dt>
      <dd data-testid="box-size">
        {String(box.w)} × {String(box.h)} × {String(box.d)} mm
      </dd>
      <dt>{t("fit_score")}</dt>
      <dd>
        {formatPercent(num(enclosure.fit_score), 0)}{" "}
        <small>
          ({String(req.w)} × {String(req.h)} × {String(req.d)})
        </small>
      </dd>
    </dl>
  );
}

export function PhaseBars({ balance }: { balance: Dict }) {
  const t = useT();
  if (!balance.applicable) return <p data-testid="phase-na">{t("not_applicable")}</p>;
  const totals = (balance.totals_a ?? {}) as Record<string, number>;
  const groups = Object.keys(totals);
  const max = Math.max(1, ...groups.map((g) => totals[g] ?? 0));
  return (
    <div data-testid="phase">
      <table className="phase-table">
        <caption className="sr-only">{t("phase_balance")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("group")}</th>
            <th scope="col">{t("load_total")}</th>
            <th scope="col" aria-hidden="true" className="bar-col" />
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g} data-testid={`phase-${g}`}>
              <th scope="row">{g}</th>
              <td className="num" data-testid={`phase-${g}-a`}>
                {formatAmps(totals[g])}
              </td>
              <td className="bar-col" aria-hidden="true">
                <span className={`bar bar-${g}`} style={{ width: `${((totals[g] ?? 0) / max) * 100}%` }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="kv">
        <dt>{t("imbalance")}</dt>
        <dd data-testid="imbalance">{formatPercent(num(balance.imbalance))}</dd>
        <dt>{t("imbalance_single")}</dt>
        <dd>{formatPercent(num(balance.imbalance_single_phase))}</dd>
        <dt>{t("optimum")}</dt>
        <dd data-testid="optimum">
          {formatAmps(num(balance.optimum_a))} ({t("lower_bound")} {formatAmps(num(balance.lower_bound))})
        </dd>
        <dt>{t("proven_optimal")}</dt>
        <dd data-testid="proven">{balance.proven_optimal ? `✓ ${t("proven")}` : t("not_proven")}</dd>
      </dl>
    </div>
  );
}

export function LintList({ lint }: { lint: Dict }) {
  const t = useT();
  const kinds: Array<[string, TextKey]> = [
    ["errors", "errors"],
    ["warnings", "warnings"],
    ["notes", "notes"],
  ];
  const all = kinds.flatMap(([k]) => (Array.isArray(lint[k]) ? (lint[k] as Dict[]) : []));
  if (!all.length) return <p data-testid="lint">{t("lint_none")}</p>;
  return (
    <ul className="lint" data-testid="lint">
      {kinds.flatMap(([k, label]) =>
        (Array.isArray(lint[k]) ? (lint[k] as Dict[]) : []).map((f, i) => (
          <li key={`${k}-${i}`} className={`lint-${k}`}>
            <span className="lint-kind">{t(label)}</span> <code>{String(f.rule ?? "")}</code> {String(f.message ?? "")}
          </li>
        )),
      )}
    </ul>
  );
}

export function TotalsTable({ totals }: { totals: Dict }) {
  const t = useT();
  const rows: Array<[string, TextKey]> = [
    ["materials", "materials"],
    ["labour", "labour"],
    ["subtotal", "subtotal"],
    ["vat", "vat"],
    ["grand_total", "grand_total"],
  ];
  return (
    <table className="totals" data-testid="totals">
      <tbody>
        {rows.map(([k, label]) => (
          <tr key={k} className={k === "grand_total" ? "grand" : undefined}>
            <th scope="row">{t(label)}</th>
            <td className="num" data-testid={`total-${k}`} data-value={String(totals[k] ?? "")}>
              {formatKRW(num(totals[k]))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const SECTION_NAMES: Record<string, { ko: string; en: string }> = {
  ENCLOSURE: { ko: "외함", en: "Enclosure" },
  MAIN: { ko: "메인차단기", en: "Main breaker" },
  BRANCHES: { ko: "분기차단기", en: "Branch breakers" },
  ACCESSORIES_REQUIRED: { ko: "부속자재(필수)", en: "Accessories (required)" },
  ACCESSORIES_OPTIONAL: { ko: "부속자재(선택)", en: "Accessories (optional)" },
  BUSBAR: { ko: "BUS-BAR", en: "Busbar" },
  SUPPORTS: { ko: "지지/부자재", en: "Supports" },
  COSTS: { ko: "잡자재/인건비", en: "Sundries and labour" },
};

/** Lines grouped by section, in the order the API gives them, with section subtotals. */
export function groupLines(lines: Dict[]): Array<{ section: string; lines: Dict[]; subtotal: number }> {
  const out: Array<{ section: string; lines: Dict[]; subtotal: number }> = [];
  for (const line of lines) {
    const section = String(line.section ?? "");
    let group = out.find((g) => g.section === section);
    if (!group) {
      group = { section, lines: [], subtotal: 0 };
      out.push(group);
    }
    group.lines.push(line);
    group.subtotal += num(line.amount) ?? 0;
  }
  return out;
}

export function LinesTable({ lines, lang }: { lines: Dict[]; lang: "ko" | "en" }) {
  const t = useT();
  return (
    <table className="lines" data-testid="lines">
      <thead>
        <tr>
          <th scope="col">{t("item")}</th>
          <th scope="col">{t("spec")}</th>
          <th scope="col">{t("unit")}</th>
          <th scope="col" className="num">
            {t("qty")}
          </th>
          <th scope="col" className="num">
            {t("unit_price")}
          </th>
          <th scope="col" className="num">
            {t("amount")}
          </th>
        </tr>
      </thead>
      {groupLines(lines).map((g) => (
        <tbody key={g.section}>
          <tr className="section-row">
            <th scope="rowgroup" colSpan={5}>
              {SECTION_NAMES[g.section]?.[lang] ?? g.section}
            </th>
            <td className="num">{formatKRW(g.subtotal)}</td>
          </tr>
          {g.lines.map((l, i) => (
            <tr key={i}>
              <td>{String(l.item ?? "")}</td>
              <td>{String(l.spec ?? "")}</td>
              <td>{String(l.unit ?? "")}</td>
              <td className="num">{String(l.qty ?? "")}</td>
              <td className="num">{formatKRW(num(l.unit_price))}</td>
              <td className="num">{formatKRW(num(l.amount))}</td>
            </tr>
          ))}
        </tbody>
      ))}
    </table>
  );
}

export function Drawing({ src, title }: { src: string | null; title: string }) {
  if (!src) return null;
  return (
    <figure className="drawing" data-testid="drawing">
      <img src={src} alt={title} />
    </figure>
  );
}
