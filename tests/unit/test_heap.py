"""``settle_heap``: what the app built before serving is frozen out of the collector's
sight and the youngest generation is collected less often (issue 15)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from functions.app import GC_GEN0_THRESHOLD, settle_heap


@pytest.fixture
def restore_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restore_gc")
def test_the_heap_built_before_serving_is_frozen_and_gen0_collected_less_often() -> None:
    gc.unfreeze()
    kept = [object() for _ in range(1000)]  # stands for the modules and models built
    settle_heap()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold()[0] == GC_GEN0_THRESHOLD > 700  # CPython's default
