"""One module per provider kind, each defining its ``ProviderSpec``; ``accounts.provider_registry`` lists them."""
