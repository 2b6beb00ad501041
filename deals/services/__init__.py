"""Business actions of the deals app, by area (see the modules)."""
