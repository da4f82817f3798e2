"""Validation suites for built propaganda-spans datasets.

Every check is declared once, beside its code (``validation.checks``): column rules are Great
Expectations expectations generated from ``schemas/``, cross-table and text rules are SQL run
by DuckDB, the rest is Python. The validator streams the tables article batch by article
batch and judges rows in levels (schema, keys, content, release). ``python -m validation
DIR`` validates a built dataset folder.
"""
