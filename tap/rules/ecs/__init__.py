"""Amazon ECS: task definitions."""
