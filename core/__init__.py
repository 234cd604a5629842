"""Small shared helpers of the apps (exports, lists, database retries, queueing after commit).

Below every app: it imports Django and third-party packages only, never an app.
"""
