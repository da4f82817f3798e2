"""Layer 1: the corpus's files. Reading and writing the formats of the Propaganda
Techniques Corpus (articles, label files) and the project's sidecar files (rationales,
provenance), finding them in a folder, and writing synthetic corpora in the same formats.
Imports only the foundation (``dataset.schema``, ``dataset.errors``, ``dataset.project``)."""
