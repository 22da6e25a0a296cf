"""Amazon S3: bucket names, lifecycle rules, notifications."""
