"""What every revgate service process shares: correlation, problem details, strict bodies, serving."""
