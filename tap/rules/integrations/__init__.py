"""Integration rules: the roles services assume can do what the integration needs."""
