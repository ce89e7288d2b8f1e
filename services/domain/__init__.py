"""The canonical domain model: one shape per business concept, whatever the API version or vendor."""
