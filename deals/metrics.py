"""Partner metrics from deals, registered with partners.metrics."""
