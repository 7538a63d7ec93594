"""Changes the API makes. Each function does one change in a transaction and audits it."""
