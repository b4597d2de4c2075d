"""KIS Estimator core: a pure library that turns a panel request into an evidenced quote."""
