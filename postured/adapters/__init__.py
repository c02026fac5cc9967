"""Thin adapters, one per library, that carry out the core's effects."""
