"""The customer-master capability: one module per major version."""
