"""The REST API (/api/v1/): scoped tokens of team members, endpoints over the apps' services, its OpenAPI schema."""
