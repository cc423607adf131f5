"""Guides: declarative task scripts (YAML), their schema, loader and the runner state machine."""
