"""The changes of structure, one module per concept: `ratings` (rate a member, assign their
organizer), `structure_tests`, `organizers` (a unit's) and `scale` (the words of 1-5).

Each is one transaction with an audit entry that holds codes, public ids and scores, never
free text. Callers have already checked, through access.py, that the actor organizes the
unit; these functions check what the input says.
"""
