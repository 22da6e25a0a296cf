"""Amazon EventBridge: rules, event patterns and EventBridge Scheduler schedules."""
