"""Read queries of the partners app, by area (see the modules)."""
