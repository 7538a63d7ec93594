"""Campaigns across organizations, their events (vigils, rallies, pickets, walkouts,
meetings, trainings), shifts, RSVPs, reminders, check-in and turnout."""
