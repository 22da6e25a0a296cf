"""KMS rules: customer-managed keys let the services that use them in."""
