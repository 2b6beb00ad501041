"""Business actions of the partners app, by area (see the modules)."""
