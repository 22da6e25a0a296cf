"""Helpers shared by rules of several services (no rules here)."""
