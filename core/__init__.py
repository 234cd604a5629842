"""Small shared helpers of the apps and the web layer under them.

Exports, lists, database retries, the Celery task class (queued after commit); the security headers middleware, the
secret-hiding error reports and logging filter, the date formats and the ``ui`` template tags.
Below every app: it imports Django, third-party packages and ``providers`` (the redactor), never an app.
"""
