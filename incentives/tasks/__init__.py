"""Background jobs of the incentives app, one module per area; tasks stay thin."""

from . import mdf, points, runs, statements  # noqa: F401  (registers the tasks)
