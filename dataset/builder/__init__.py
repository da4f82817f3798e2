"""Layer 2: the build. Turns a folder of PTC-format files into the dataset's Parquet tables
and MANIFEST.json. Imports the foundation and ``dataset.ptc``, never validation or release:
the validation gate is wired at the command line (``dataset.commands.build``)."""
