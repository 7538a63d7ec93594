"""Secret-ballot votes, one module per concept: `votes` (set one up, take the roll, send the
ballots), `links` (the opaque ballot link), `casting` (cast a ballot and forget the
history it leaves) and `counting` (results and receipts). Decision 0011.
"""
