"""Command lines at the edge of the package: the place where layers that never import each
other (the build and validation) are wired together, as the build's validation gate."""
