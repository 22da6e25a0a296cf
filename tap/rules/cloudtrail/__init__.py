"""AWS CloudTrail: trails and the buckets they write to."""
