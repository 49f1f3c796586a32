"""EventBridge as samlite routes it: buses, rules, patterns, targets and their input."""
