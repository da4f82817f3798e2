"""Versioned releases of the dataset: ``releases/v<version>/``, laid out as a Hugging Face
dataset repository, with citation, metadata, checksums and a preview.

A release folder holds two kinds of files (see ``layout``):

- reproducible files, a pure function of the inputs (raw files, DATACARD.md, the changelog
  date, the schema, the guidelines, pyproject.toml's metadata) and the locked libraries:
  the Parquet shards, README.md, CITATION.cff, CITATION.bib, croissant.json,
  datapackage.json, preview.html, technique_counts.png, LICENSE.md, guidelines.md,
  schemas/propaganda_spans.yaml and checks.md.
  ``verify`` rebuilds them and compares them byte for byte with SHA256SUMS, and releasing
  a version again must give them unchanged (releases are immutable);
- records of the release run: release-manifest.json (git commit, Python and library
  versions) and validation.json (the validation report). SHA256SUMS covers them, so any
  change to them is caught, but they are not expected to be reproduced.
"""
