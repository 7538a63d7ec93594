"""Register the joining messages' background tasks with Huey's worker, which imports each
installed app's `tasks` module (tocsin.delivery is a plain package, not an app)."""

from tocsin.delivery.tasks import send_confirmation_code, send_member_link

__all__ = ["send_confirmation_code", "send_member_link"]
