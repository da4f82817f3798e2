"""The shared tasks on a built dataset: its gold in the official task files (export) and
predictions scored against it (score), with the metrics of dataset.ptc.scoring."""
