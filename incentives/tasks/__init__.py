"""Background jobs of the incentives app, one module per area; tasks stay thin."""

from . import runs  # noqa: F401  (registers the tasks)
