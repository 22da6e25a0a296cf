"""Amazon CloudFront: distributions, their origins and the us-east-1 resources they use."""
