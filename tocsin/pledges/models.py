"""Models of tocsin.pledges."""
