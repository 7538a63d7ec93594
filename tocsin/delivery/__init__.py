"""Sending: alerts fanned out to deliveries on every channel, and direct one-off sends."""
