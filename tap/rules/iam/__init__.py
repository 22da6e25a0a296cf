"""IAM rules: what roles may do, what code needs, and whether the names exist."""
