"""Servers on 127.0.0.1 that speak the channels' real protocols, for tests and the demo."""
