"""KIS Estimator HTTP functions: thin handlers under /functions/v1/<name> on one ASGI app."""
