"""Changes to campaigns and events, one module per concept: `campaigns` (a campaign and
who takes part), `events` (create, propose, decide, cancel, promote), `rsvps` (shifts,
answers and the waitlist), `check_in` (the QR check-in), `turnout` (counts), `messages`
(what people are told, and the reminders) and `limits` (the lengths and sizes allowed).

Each change is one transaction with an audit entry holding codes, states and counts, never
a title, an address or a name.
"""
