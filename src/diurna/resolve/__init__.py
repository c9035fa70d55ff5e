"""Resolve stages: actors, places, dates and quantities of extracted mentions."""
