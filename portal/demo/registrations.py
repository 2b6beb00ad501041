"""Demo data: registrations."""


def seed(tenants: dict) -> None:
    """Add this area's demo data to the tenants (keyed by slug); idempotent."""
