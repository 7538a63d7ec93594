"""What delivery tells the apps above it, which it must not import (exchange, for one)."""

from django.dispatch import Signal

# Sent once per alert, when its fan-out has recorded every delivery and enqueued their
# jobs (the alert is on its way to everyone): `alert` and `audience_size`.
alert_fanned_out = Signal()
