"""CloudFormation resource schemas: properties exist and have the right shape."""
