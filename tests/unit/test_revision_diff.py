"""The revision diff: request fields, lines added/removed/changed, totals delta, box, imbalance."""

from __future__ import annotations

from functions._shared.usecases.revision_diff import diff

LINE = {
    "section": "MAIN",
    "item": "SBE-104",
    "spec": "4P 100AF",
    "qty": 1,
    "unit_price": 50,
    "amount": 50,
}


def _rev(
    request: dict[str, object], lines: list[dict[str, object]], total: int, box: str
) -> dict[str, object]:
    response = {
        "lines": lines,
        "totals": {"subtotal": total, "grand_total": total},
        "enclosure": {"model": box},
        "phase_balance": {"imbalance": 0.01},
    }
    return {"request": request, "response": response}


def test_a_diff_names_what_changed_and_nothing_else() -> None:
    branch = {
        "section": "BRANCH",
        "item": "SBE-52",
        "spec": "2P",
        "qty": 2,
        "unit_price": 10,
        "amount": 20,
    }
    a = _rev({"panel": {"main": "4P"}, "brand": "SANGDO"}, [LINE, branch], 70, "HDS-600")
    b = _rev(
        {"panel": {"main": "4P"}, "brand": "LS"},
        [{**LINE, "qty": 2, "amount": 100}],
        100,
        "HDS-700",
    )
    d = diff(a, b)
    assert d["request"] == [{"path": "brand", "from": "SANGDO", "to": "LS"}]
    assert d["lines"]["removed"] == [branch]
    assert d["lines"]["added"] == []
    assert d["lines"]["changed"] == [
        {
            "section": "MAIN",
            "item": "SBE-104",
            "spec": "4P 100AF",
            "qty": {"from": 1, "to": 2},
            "amount": {"from": 50, "to": 100},
        }
    ]
    assert d["totals_delta"] == {"subtotal": 30, "grand_total": 30}
    assert d["enclosure"] == {"from": {"model": "HDS-600"}, "to": {"model": "HDS-700"}}
    assert d["imbalance"] is None


def test_identical_revisions_differ_in_nothing() -> None:
    a = _rev({"brand": "LS"}, [LINE], 50, "HDS-600")
    d = diff(a, a)
    assert d["request"] == [] and d["enclosure"] is None and d["imbalance"] is None
    assert d["lines"] == {"added": [], "removed": [], "changed": []}
    assert set(d["totals_delta"].values()) == {0}
