"""Background jobs of the partners app, one module per area; tasks stay thin."""

from . import announcements, onboarding, tiers  # noqa: F401  (registers the tasks)
