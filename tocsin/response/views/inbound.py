"""Placeholder until this module's views are written."""

urlpatterns: list = []
