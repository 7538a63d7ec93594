"""Models of tocsin.structure."""
