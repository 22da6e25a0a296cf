"""Amazon Data Firehose rules."""
