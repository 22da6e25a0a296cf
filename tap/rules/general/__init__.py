"""Rules that apply across services."""
