"""The billing-status capability: one module per major version."""
