"""Read queries of the deals app, by area (see the modules)."""
