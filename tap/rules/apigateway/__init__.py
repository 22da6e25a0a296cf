"""Amazon API Gateway (REST APIs)."""
