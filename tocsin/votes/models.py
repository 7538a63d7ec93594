"""Models of tocsin.votes."""
