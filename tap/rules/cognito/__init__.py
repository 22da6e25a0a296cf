"""Amazon Cognito: user pools and their domains."""
