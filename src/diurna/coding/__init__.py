"""Coding stages: parse with spaCy, load the lexicons, extract event mentions."""
