"""Signed webhooks: a team's endpoints hear of SMS, fax, call and provider events (docs/api.md, "Webhooks")."""
