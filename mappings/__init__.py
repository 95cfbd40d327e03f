"""Mapping rules: one module per v2 entity family, small pure functions plus their lookup tables."""
