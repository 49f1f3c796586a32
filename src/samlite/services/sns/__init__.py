"""SNS as samlite delivers it: subscription filter policies and deliveries to functions and queues."""
