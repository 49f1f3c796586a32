"""Lambda entry points: Lambda wiring only, no rules."""
