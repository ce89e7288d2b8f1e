"""The customer-master capability: one customer across Salesforce, Zuora and NetSuite, served as v1 and v2."""
