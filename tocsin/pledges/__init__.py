"""Conditional pledges: members commit to act together once enough of them have, and who
signed stays sealed until then (decision 0009)."""
