"""Changes to reports and incidents. Each function makes one change in a transaction,
writes the incident's timeline and the audit log, and schedules slow work on commit."""
