"""The Spark engine: the same checks, run on Apache Spark (``--engine spark``).

Optional (``pip install .[spark]``, and Java 17 or newer); nothing here is imported unless
that engine is chosen.
"""
