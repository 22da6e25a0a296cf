"""Amazon ECR: container image repositories."""
