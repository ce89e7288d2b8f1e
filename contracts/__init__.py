"""Public shapes of revgate: one msgspec Struct per model, per capability and major version.

Nothing here imports from the rest of revgate; services and the gateway depend on it,
never the other way round.
"""
