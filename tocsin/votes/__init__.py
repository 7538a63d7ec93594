"""Secret-ballot votes of a unit: one ballot per eligible member, a roll kept apart from the
ballot box, results only after the close, and receipts."""
