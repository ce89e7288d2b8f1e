"""The order-submission capability: one module per major version."""
