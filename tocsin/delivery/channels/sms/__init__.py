"""SMS through a Twilio-compatible HTTP gateway."""
