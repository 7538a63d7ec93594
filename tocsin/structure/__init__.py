"""Structure: organizers' 1-5 ratings of each member's support, with history, structure
tests with a target, and the unit dashboard. Only the unit's organizers see any of it."""
