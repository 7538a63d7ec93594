"""A feature that exists only in the test settings, to show what adding a kind of alert
takes: this folder and nothing in tocsin/delivery (decision 0026)."""
