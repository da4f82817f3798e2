"""Every ``python -m dataset`` command, one module each: its options and one call into its
layer. Commands sit at the edge of the package because that is the only place where layers
that never import each other (the build and validation) may meet, as build's gate."""
