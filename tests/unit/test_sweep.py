"""The orphan sweep over a fake blob store: what it deletes, keeps and counts."""

from __future__ import annotations

from functions._shared.blobs import StoredObject
from functions._shared.sweep import sweep

DAY = 24 * 3600.0
NOW = 1_800_000_000.0


class FakeBlobs:
    def __init__(self, objects: dict[str, dict[str, float]]) -> None:
        self.objects = objects
        self.deleted: list[tuple[str, list[str]]] = []

    def list_objects(self, bucket: str) -> list[StoredObject]:
        return [StoredObject(p, m) for p, m in sorted(self.objects.get(bucket, {}).items())]

    def delete_listed(self, bucket: str, paths: list[str]) -> None:
        self.deleted.append((bucket, paths))
        for p in paths:
            del self.objects[bucket][p]


def store() -> FakeBlobs:
    return FakeBlobs(
        {
            "evidence": {
                "quote/a/input/1.json": NOW - 3 * DAY,  # has a row
                "quote/b/input/2.json": NOW - 3 * DAY,  # orphan, old
                "quote/c/input/3.json": NOW - 60,  # orphan, in flight
            },
            "documents": {"quote/d/result/4.json": NOW - 2 * DAY},  # orphan, old
        }
    )


def test_old_unreferenced_objects_are_deleted_and_the_rest_kept() -> None:
    blobs = store()
    report = sweep(blobs, ["evidence", "documents"], {"quote/a/input/1.json"}, now=NOW)
    assert (report.scanned, report.referenced, report.young, report.deleted) == (4, 1, 1, 2)
    assert sorted(report.deleted_paths) == [
        "documents/quote/d/result/4.json",
        "evidence/quote/b/input/2.json",
    ]
    assert set(blobs.objects["evidence"]) == {"quote/a/input/1.json", "quote/c/input/3.json"}
    assert blobs.objects["documents"] == {}


def test_a_second_run_deletes_nothing() -> None:
    blobs = store()
    sweep(blobs, ["evidence", "documents"], {"quote/a/input/1.json"}, now=NOW)
    again = sweep(blobs, ["evidence", "documents"], {"quote/a/input/1.json"}, now=NOW)
    assert again.deleted == 0 and again.scanned == 2
    assert len(blobs.deleted) == 2  # one delete call per bucket, in the first run only


def test_a_dry_run_counts_and_deletes_nothing() -> None:
    blobs = store()
    report = sweep(blobs, ["evidence", "documents"], set(), now=NOW, dry_run=True)
    assert report.deleted == 3 and report.young == 1
    assert blobs.deleted == []
    assert "would delete 3" in report.summary()


def test_the_grace_period_is_honoured() -> None:
    blobs = store()
    report = sweep(blobs, ["evidence"], set(), now=NOW, grace_s=4 * DAY)
    assert report.deleted == 0 and report.young == 3
