"""gunicorn settings shared by the Procfile and the systemd unit (`gunicorn -c deploy/gunicorn.conf.py`).

The access log names the path without its query string and leaves out the Referer: an OAuth
callback's query holds an authorization code, and the page after it is requested with that URL as
its Referer.
"""

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
timeout = 60
max_requests = 2000
max_requests_jitter = 200
