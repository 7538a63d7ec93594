"""Tocsin: verified rapid-response alerts, a hotline, collective action and a backbone between unions."""
