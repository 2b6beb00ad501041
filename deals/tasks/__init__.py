"""Background jobs of the deals app, one module per area; tasks stay thin."""

from . import expiry, leads  # noqa: F401  (registers the tasks)
