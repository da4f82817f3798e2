"""``python -m benchmarks.import_gx``: import Great Expectations and nothing else, the
yardstick of how fast validating a tiny dataset can be (``benchmarks.measure.measure_small``)."""

import great_expectations  # noqa: F401
