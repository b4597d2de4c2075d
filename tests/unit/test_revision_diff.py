"""The revision diff: request fields, lines added/removed/changed, totals delta, box, imbalance."""

from __future__ import annotations

from functions._shared.usecases.revision_diff import diff, project_diff

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


def _project(
    panels: list[tuple[str, int, list[dict[str, object]]]], subtotal: int
) -> dict[str, object]:
    response = {
        "kind": "project",
        "panels": [
            {"name": n, "qty": q, "unit_total": 50, "amount": 50 * q, "status": "issued"}
            for n, q, _ in panels
        ],
        "totals": {"subtotal": subtotal},
    }
    outputs = [
        {"name": n, "output": {"lines": lines, "totals": {"subtotal": 50}}}
        for n, _, lines in panels
    ]
    return {
        "request": {"panels": [n for n, _, _ in panels]},
        "response": response,
        "panels": outputs,
    }


def test_a_project_diff_names_panels_added_removed_and_their_changed_lines() -> None:
    a = _project([("A", 1, [LINE]), ("B", 2, [LINE])], 150)
    b = _project([("A", 1, [{**LINE, "unit_price": 60, "amount": 60}]), ("C", 1, [LINE])], 110)
    d = project_diff(a, b)
    assert d["panels"]["added"] == [{"name": "C", "qty": 1, "unit_total": 50, "amount": 50}]
    assert d["panels"]["removed"] == [{"name": "B", "qty": 2, "unit_total": 50, "amount": 100}]
    (changed,) = d["panels"]["changed"]
    assert (changed["name"], changed["qty"], changed["amount"]) == ("A", None, None)
    moved = {"unit_price": {"from": 50, "to": 60}, "amount": {"from": 50, "to": 60}}
    assert changed["lines"]["changed"] == [
        {"section": "MAIN", "item": "SBE-104", "spec": "4P 100AF", **moved}
    ]
    assert d["lines"]["changed"] == [{"panel": "A", **changed["lines"]["changed"][0]}]
    assert d["totals_delta"] == {"subtotal": -40}
    assert d["request"] == [
        {"path": "panels[1]", "from": "B", "to": "C"},
    ]


def test_an_unchanged_project_panel_is_not_listed() -> None:
    a = _project([("A", 1, [LINE])], 50)
    d = project_diff(a, _project([("A", 1, [LINE])], 50))
    assert d["panels"] == {"added": [], "removed": [], "changed": []}
    assert d["totals_delta"] == {"subtotal": 0}
