"""Lambda event source mappings."""
