"""AWS Step Functions: state machine definitions."""
