"""Evidence is canonical and reproducible; the CLI speaks the documented contract."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from estimator_core.canonical import canonical_json, sha256_bytes, sha256_hex
from estimator_core.evidence import STAGES, evidence_root
from estimator_core.pipeline import estimate
from tests.conftest import ISSUED_AT, ROOT

RESULT_KEYS = {
    "status",
    "catalog",
    "enclosure",
    "layout",
    "phase_balance",
    "lines",
    "cover",
    "totals",
    "lint",
    "evidence",
    "evidence_root",
    "timings_ms",
}


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "estimator_core", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        input=stdin,
        check=False,
    )


def test_canonical_json_sorts_keys_and_drops_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [1, 2], "ä": "한"}) == '{"a":[1,2],"b":1,"ä":"한"}'.encode()


def test_every_stage_has_evidence_whose_hash_is_its_content(apartment, catalog) -> None:
    q = estimate(apartment, catalog, issued_at=ISSUED_AT)
    assert tuple(r.stage for r in q.evidence) == STAGES
    for record in q.evidence:
        assert record.sha256 == sha256_bytes(record.content)
        assert len(record.sha256) == 64
    assert q.evidence_root == evidence_root(list(q.evidence))
    assert q.evidence_root == sha256_hex([[r.stage, r.sha256] for r in q.evidence])


def test_same_request_catalog_and_time_give_identical_evidence(office, catalog) -> None:
    first = estimate(office, catalog, issued_at=ISSUED_AT)
    second = estimate(office, catalog, issued_at=ISSUED_AT)
    assert [r.content for r in first.evidence] == [r.content for r in second.evidence]
    assert first.evidence_root == second.evidence_root


def test_another_issue_time_changes_the_cover_hash_only_where_it_must(office, catalog) -> None:
    a = {r.stage: r.sha256 for r in estimate(office, catalog, issued_at=ISSUED_AT).evidence}
    b = {
        r.stage: r.sha256
        for r in estimate(office, catalog, issued_at="2026-02-01T00:00:00Z").evidence
    }
    assert a["enclosure"] == b["enclosure"] and a["breaker"] == b["breaker"]
    assert a["cover"] != b["cover"]


def test_evidence_is_identical_in_a_new_process(apartment, catalog) -> None:
    here = estimate(apartment, catalog, issued_at=ISSUED_AT).evidence_root
    run = cli("estimate", "examples/apartment_sangdo.json", "--issued-at", ISSUED_AT, "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["evidence_root"] == here


def test_result_json_has_the_documented_keys(apartment, catalog) -> None:
    result = estimate(apartment, catalog, issued_at=ISSUED_AT).result.model_dump(mode="json")
    assert set(result) >= RESULT_KEYS
    assert set(result["enclosure"]["box"]) >= {"model", "w", "h", "d", "price", "custom"}
    assert set(result["phase_balance"]) >= {
        "totals_a",
        "imbalance",
        "imbalance_single_phase",
        "proven_optimal",
        "lower_bound",
        "solve_ms",
        "assignment",
    }
    assert set(result["timings_ms"]) >= {"enclosure", "breaker", "format", "cover", "lint"}


def test_cli_prints_a_readable_summary(tmp_path: Path) -> None:
    run = cli("estimate", "examples/office_ls_standard.json", "--issued-at", ISSUED_AT)
    assert run.returncode == 0, run.stderr
    for text in ("HDS 80 140 25", "B4-1", "[R]", "imbalance 3.06 %", "Grand total", "BAL_TARGET"):
        assert text in run.stdout


def test_cli_writes_evidence_files_named_by_stage_and_hash(tmp_path: Path) -> None:
    run = cli(
        "estimate",
        "examples/apartment_sangdo.json",
        "--issued-at",
        ISSUED_AT,
        "--out",
        str(tmp_path),
        "--json",
    )
    assert run.returncode == 0, run.stderr
    for item in json.loads(run.stdout)["evidence"]:
        (path,) = (tmp_path / item["stage"]).iterdir()
        assert path.stem == item["sha256"] == sha256_bytes(path.read_bytes())


def test_cli_error_is_json_with_exit_status_2() -> None:
    run = cli("estimate", "examples/runbook_seed_example.json", "--json")
    assert run.returncode == 2
    error = json.loads(run.stdout)["error"]
    assert error["code"] == "NEED_KNOWLEDGE_UPDATE"
    assert error["details"][0]["model"] == "METASOL-600"


def test_cli_malformed_json_is_a_coded_error_not_a_traceback() -> None:
    run = cli("estimate", "-", "--json", stdin="{not json")
    assert run.returncode == 2
    assert json.loads(run.stdout)["error"]["code"] == "VALIDATION_FAILED"
    assert "Traceback" not in run.stderr


def test_cli_balance_assigns_every_two_pole_circuit() -> None:
    circuits = {
        "circuits": [
            {"id": "a", "load_a": 20, "poles": 2},
            {"id": "b", "load_a": 20, "poles": 2},
            {"id": "c", "load_a": 20, "poles": 2, "phase": "T"},
            {"id": "m", "load_a": 30, "poles": 4},
        ]
    }
    run = cli("balance", "-", "--json", stdin=json.dumps(circuits))
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert set(out["assignment"]) == {"a", "b", "c"}
    assert out["assignment"]["c"] == "T"
    assert out["totals_a"] == {"R": 50.0, "S": 50.0, "T": 50.0}
    assert out["proven_optimal"] is True


def test_cli_balance_bad_input_is_a_coded_error() -> None:
    bad = {"circuits": [{"id": "a", "load_a": 1, "poles": 2, "phase": "X"}]}
    run = cli("balance", "-", "--json", stdin=json.dumps(bad))
    assert run.returncode == 2
    assert json.loads(run.stdout)["error"]["code"] == "VALIDATION_FAILED"


IO_MODULES = {"os", "pathlib", "io", "socket", "time", "random", "subprocess", "shutil"}
# In-memory buffers are how the document renderers hand bytes back: no I/O.
IN_MEMORY = {("io", "BytesIO"), ("io", "StringIO")}


def test_core_modules_do_no_io_except_the_cli() -> None:
    core = ROOT / "estimator_core"
    paths = sorted(core.rglob("*.py"))
    assert core / "documents" / "pdf.py" in paths
    for path in paths:
        # The CLI and the shipped catalogs' loader (which the CLI calls) are the I/O edges.
        if path.relative_to(core).as_posix() in ("cli.py", "__main__.py", "catalogs/__init__.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                root = node.module.split(".")[0]
                if not all((root, a.name) in IN_MEMORY for a in node.names):
                    names = [root]
            assert not set(names) & IO_MODULES, f"{path.name} imports {names}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("open", "print", "input"), path.name
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("now", "utcnow", "today"), f"{path.name} reads the clock"


def test_the_drawing_is_well_formed_svg_with_every_breaker(office, catalog) -> None:
    import xml.etree.ElementTree as ET

    q = estimate(office, catalog, issued_at=ISSUED_AT)
    drawing = next(r for r in q.evidence if r.stage == "drawing")
    root = ET.fromstring(drawing.content)
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for unit in q.panel.branches:
        assert any(t.startswith(f"{unit.id} ") for t in texts), unit.id
    assert any("HDS 80 140 25" in t for t in texts)


def test_spliced_breaker_and_output_records_are_their_whole_canonical_json(
    apartment, catalog
) -> None:
    """The layout rows are encoded once and spliced into the breaker and output records:
    each record is still the canonical JSON of its whole value."""
    q = estimate(apartment, catalog, issued_at=ISSUED_AT)
    by_stage = {r.stage: r for r in q.evidence}
    breaker = q.placement.to_dict()
    assert by_stage["breaker"].content == canonical_json(breaker)
    output = json.loads(by_stage["output"].content)
    assert output["layout"]["rows"] == breaker["rows"]
    assert by_stage["output"].content == canonical_json(output)


def test_enclosure_rows_dump_is_each_rows_model_dump(office, catalog) -> None:
    """The enclosure record's rows come from one serializer call: the same dicts a
    ``model_dump`` per row gives."""
    enc = estimate(office, catalog, issued_at=ISSUED_AT).enclosure
    assert len(enc.rows) > 1
    assert enc.rows_dump() == [r.model_dump() for r in enc.rows]
