"""SMS services: the only code that writes SMS state and talks to the provider, one module per concept.

A batch and every recipient are stored before anything is sent (``create``). Chunks
are claimed atomically (queued → submitting) so a double click, a retried task or a
restarted worker never submits one twice (``send``). A chunk whose request may have
reached the provider (timeout, 5xx, an unreadable answer) becomes *unknown* and is
settled from the provider's reports, never resubmitted blindly (``reconcile``).

- ``limits``: what an account allows (parts, chunk size, sender ids) and how far ahead a send may go
- ``plan``: the alphabet and the parts a text costs
- ``create``: one entry point that stores a batch (``BatchRequest`` → ``sms_batch_create``)
- ``send_queue``: a batch's send on the Celery queue, a send that stopped, the watchdog that resumes it
- ``scheduled``: a batch held until it is due (released once by the worker), edited or cancelled until then
- ``send``: submitting the queued chunks, each claimed once, each attempt a row
- ``outcomes``: what a chunk's outcome does to its recipients and its batch
- ``auto_retry``: chunks the provider turned away for a passing reason, tried again on a schedule
- ``reconcile``: unknown outcomes settled from the provider's reports
- ``reports``: delivery reports
- ``actions``: pause, resume, cancel, retry, resend (what a person does to a batch)
- ``address_book``: contacts, groups, saved templates and opt-outs, each write audited
- ``contact_import``: contact files, imported in batches
- ``history_import``: batches sent outside the portal
"""
