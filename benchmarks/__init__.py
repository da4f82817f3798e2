"""Benchmarks of the build, the validation and loading, against the loading-script baseline
and a plain-pyarrow floor, on synthetic PTC-format corpora (``python -m benchmarks.run``)."""
