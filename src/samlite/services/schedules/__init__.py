"""Schedules: EventBridge scheduled rules and EventBridge Scheduler schedules, fired on time or on demand."""
