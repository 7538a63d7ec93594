"""A coalition's one view of a week of action across the organizations that share with it: places, states, turnout and pledges, never a person."""
