"""Pages anyone may open without signing in (each enters its tenant itself)."""

from .areas.recruitment.urls import public_patterns

urlpatterns = public_patterns
