"""Sending messages. For now only the direct sends that joining needs (codes and member links)."""
