"""Reads of the incentives app, reused by views, tasks and later the API."""
