"""One router per concept; each is guarded as a whole (see tocsin.api.auth)."""
