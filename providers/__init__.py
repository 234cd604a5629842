"""Provider API clients: plain Python, credentials passed in, no Django imports."""
