"""Amazon SQS rules."""
