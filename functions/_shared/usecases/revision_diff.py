"""What changed between two revisions of a quote: request fields, lines, totals, box and
phase imbalance. Pure: it compares two stored (request, response) pairs."""

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
    fa, fb = _flat(a["request"]), _flat(b["request"])
    request = [
        {"path": p, "from": fa.get(p), "to": fb.get(p)}
        for p in sorted(set(fa) | set(fb))
        if fa.get(p) != fb.get(p) or (p in fa) != (p in fb)
    ]
    la = {_line_key(x): x for x in a["response"].get("lines", []) if isinstance(x, dict)}
    lb = {_line_key(x): x for x in b["response"].get("lines", []) if isinstance(x, dict)}
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
    ta, tb = a["response"].get("totals", {}), b["response"].get("totals", {})
    totals = {
        k: tb[k] - ta.get(k, 0)
        for k in tb
        if isinstance(tb[k], int) and isinstance(ta.get(k, 0), int)
    }
    ea, eb = a["response"].get("enclosure", {}), b["response"].get("enclosure", {})
    pa, pb = a["response"].get("phase_balance", {}), b["response"].get("phase_balance", {})
    return {
        "request": request,
        "lines": {
            "added": [lb[k] for k in sorted(set(lb) - set(la))],
            "removed": [la[k] for k in sorted(set(la) - set(lb))],
            "changed": changed,
        },
        "totals_delta": totals,
        "enclosure": None if ea == eb else {"from": ea, "to": eb},
        "imbalance": None
        if pa.get("imbalance") == pb.get("imbalance")
        else {"from": pa.get("imbalance"), "to": pb.get("imbalance")},
    }
