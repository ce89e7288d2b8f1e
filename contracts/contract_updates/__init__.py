"""The contract-updates capability: one module per major version."""
