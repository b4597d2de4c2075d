"""``python -m estimator_core``: see ``estimator_core.cli``."""

from estimator_core.cli import main

main()
