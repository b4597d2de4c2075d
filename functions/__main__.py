"""``python -m functions``: see ``functions.dev``."""

from functions.dev import main

main()
