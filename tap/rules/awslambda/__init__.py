"""Lambda rules: handlers that exist in their code, runtimes that are current."""
