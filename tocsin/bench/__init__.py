"""The delivery benchmark: `tocsin bench fanout --recipients N` (see docs/benchmarks.md)."""
