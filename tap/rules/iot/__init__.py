"""AWS IoT Core: topic rules and policies."""
