"""Amazon DynamoDB: tables and global tables."""
