"""Layer 2: annotation tools. Turns the maintainers' annotation records into PTC label files
(``annotate``) and compares annotation layers with the SemEval-2020 span metric
(``agreement``). Imports the foundation and ``dataset.ptc``."""
