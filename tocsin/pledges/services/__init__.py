"""Conditional pledges (decision 0009), one module per concept: `checks` (a new pledge's
fields and floors), `pledges` (create and send, taking the roll), `signing` (sign,
withdraw, forget an erased signer) and `outcome` (on at the threshold, expired at the
deadline, and who signed once it is on).

Signing and withdrawing write no audit entry and no log line; everything else is audited
as usual.
"""
