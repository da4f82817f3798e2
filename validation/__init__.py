"""Validation suites for built propaganda-spans datasets.

Column-level rules run as Great Expectations expectations generated from ``schemas/``;
cross-table and text rules compute one boolean per row that Great Expectations then
checks. ``python -m validation DIR`` validates a built dataset folder.
"""
