"""The hotline's changes: plans (services/plans.py), cases (cases.py), the messages a case
sends (messages.py) and what a closed case forgets (retention.py)."""
