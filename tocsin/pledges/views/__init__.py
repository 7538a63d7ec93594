"""Pledge screens: the organizer's (staff) and the member's own (member)."""
