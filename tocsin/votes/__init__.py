"""Secret-ballot votes of a unit: one ballot per eligible member, counted into a tally that
keeps no ballot, results only after the close, and receipts that carry no choice."""
