"""Amazon CloudWatch Logs: log groups and their retention."""
