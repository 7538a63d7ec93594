"""Rapid response's views, one module per screen family; each lists its own urlpatterns."""
