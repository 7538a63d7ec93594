"""Rapid response: reports, incidents, verification, broadcast, responses and the record."""
