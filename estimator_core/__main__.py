"""``python -m estimator_core``: see ``estimator_core.cli``.

Two settings of this short-lived process only (a library caller keeps its own), for the
cold start (benchmarks/RESULTS.md, "CLI cold start"):

- No pydantic plugins unless the caller asks for them: finding them scans the metadata
  of every installed distribution (~10 ms) and the engine uses none. An explicit
  ``PYDANTIC_DISABLE_PLUGINS`` (even empty: every plugin on) is left as it is.
- No garbage collection while the engine's modules load: importing builds ~70 pydantic
  models, long-lived objects the collector would scan again and again (~10 ms). They are
  then frozen (``gc.freeze``: never scanned) and collection runs as usual for the work.
"""

import gc
import os

os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
gc.disable()
try:
    from estimator_core.cli import main
finally:
    gc.freeze()
    gc.enable()

main()
