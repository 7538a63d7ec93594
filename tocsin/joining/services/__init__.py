"""Joining and a member's own changes, one module per concept: `joins`, `contacts` (given
when joining or later, and claims on an address someone else holds), `codes`
(confirmation codes), `links` (the member link) and `members` (a member's own changes).
Each function does one change, audits it, and sends codes or links only after the
transaction commits.

Audit entries name people by public id and contacts by channel and row id, never by address.
"""
