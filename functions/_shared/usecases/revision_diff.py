"""What changed between two revisions of a quote: request fields, lines, totals, box and
phase imbalance; for a project also the panels added, removed and changed. Pure: it
compares two stored (request, response) pairs (and a project's panel output records)."""

from __future__ import annotations

from typing import Any


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON value as {dotted.path: leaf} (list items by index)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out.update(_flat(item, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


def _line_key(line: dict[str, Any]) -> str:
    return "|".join(str(line.get(k, "")) for k in ("section", "item", "spec"))


def diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """``a`` and ``b``: {"request": …, "response": …} of two revisions, a the older."""
    return {
        "request": request_changes(a["request"], b["request"]),
        **panel_changes(a["response"], b["response"]),
    }


def request_changes(a: Any, b: Any) -> list[dict[str, Any]]:
    """Every leaf of the request that differs, by its dotted path."""
    fa, fb = _flat(a), _flat(b)
    return [
        {"path": p, "from": fa.get(p), "to": fb.get(p)}
        for p in sorted(set(fa) | set(fb))
        if fa.get(p) != fb.get(p) or (p in fa) != (p in fb)
    ]


def panel_changes(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Lines added, removed and changed, totals delta, box and imbalance from panel ``a``
    to ``b`` (each a panel quote's response, or a project panel's output record)."""
    la = {_line_key(x): x for x in a.get("lines", []) if isinstance(x, dict)}
    lb = {_line_key(x): x for x in b.get("lines", []) if isinstance(x, dict)}
    changed = []
    for key in sorted(set(la) & set(lb)):
        fields = {
            f: {"from": la[key].get(f), "to": lb[key].get(f)}
            for f in ("qty", "unit_price", "amount")
            if la[key].get(f) != lb[key].get(f)
        }
        if fields:
            changed.append(
                {
                    "section": lb[key].get("section"),
                    "item": lb[key].get("item"),
                    "spec": lb[key].get("spec"),
                    **fields,
                }
            )
    ea, eb = a.get("enclosure", {}), b.get("enclosure", {})
    pa, pb = a.get("phase_balance", {}), b.get("phase_balance", {})
    return {
        "lines": {
            "added": [lb[k] for k in sorted(set(lb) - set(la))],
            "removed": [la[k] for k in sorted(set(la) - set(lb))],
            "changed": changed,
        },
        "totals_delta": totals_delta(a.get("totals", {}), b.get("totals", {})),
        "enclosure": None if ea == eb else {"from": ea, "to": eb},
        "imbalance": None
        if pa.get("imbalance") == pb.get("imbalance")
        else {"from": pa.get("imbalance"), "to": pb.get("imbalance")},
    }


def totals_delta(a: dict[str, Any], b: dict[str, Any]) -> dict[str, int]:
    return {
        k: b[k] - a.get(k, 0) for k in b if isinstance(b[k], int) and isinstance(a.get(k, 0), int)
    }


def _panel_brief(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: summary.get(k) for k in ("name", "qty", "unit_total", "amount")}


def project_diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two revisions of a project, ``a`` the older: each {"request", "response", "panels"}
    where ``panels`` are [{"name", "output"}] in the project's order (``output``: the
    panel's output record, its lines, totals, box and phase balance).

    Panels are matched by name (unique in a project): ``panels.added`` and
    ``panels.removed`` name whole panels (name, qty, unit total, amount); ``panels.changed``
    is each kept panel that changed, with its qty and amount (from/to, else null) and what
    a panel diff says; ``lines`` are the kept panels' line changes, each with its panel's
    name; ``totals_delta`` is the project's. ``enclosure`` and ``imbalance`` are per panel
    (null at the top)."""
    sa = {p["name"]: p for p in a["response"].get("panels", [])}
    sb = {p["name"]: p for p in b["response"].get("panels", [])}
    oa = {p["name"]: p["output"] for p in a["panels"]}
    ob = {p["name"]: p["output"] for p in b["panels"]}
    lines: dict[str, list[dict[str, Any]]] = {"added": [], "removed": [], "changed": []}
    changed = []
    for name in (n for n in sb if n in sa):
        one = panel_changes(oa.get(name, {}), ob.get(name, {}))
        moved = {
            f: None
            if sa[name].get(f) == sb[name].get(f)
            else {"from": sa[name].get(f), "to": sb[name].get(f)}
            for f in ("qty", "amount")
        }
        for kind, rows in one["lines"].items():
            lines[kind].extend({"panel": name, **row} for row in rows)
        if (
            any(moved.values())
            or any(one["lines"].values())
            or one["enclosure"]
            or one["imbalance"]
            or any(one["totals_delta"].values())
        ):
            changed.append({"name": name, **moved, **one})
    return {
        "request": request_changes(a["request"], b["request"]),
        "lines": lines,
        "totals_delta": totals_delta(
            a["response"].get("totals", {}), b["response"].get("totals", {})
        ),
        "enclosure": None,
        "imbalance": None,
        "panels": {
            "added": [_panel_brief(sb[n]) for n in sb if n not in sa],
            "removed": [_panel_brief(sa[n]) for n in sa if n not in sb],
            "changed": changed,
        },
    }
