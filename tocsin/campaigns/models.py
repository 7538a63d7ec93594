"""Models of tocsin.campaigns."""
