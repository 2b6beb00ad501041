"""Business actions of the incentives app, one module per idea."""
