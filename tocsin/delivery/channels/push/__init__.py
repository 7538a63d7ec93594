"""Web Push through pywebpush, signed with this server's VAPID key."""
