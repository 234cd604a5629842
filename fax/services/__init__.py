"""Everything that writes fax state or talks to a provider (through a gateway), one module per concept.

- ``drafts``: compose, render the preview, confirm (one queued fax per recipient).
- ``scheduled``: a fax held until it is due (released once by the worker), its time moved until then.
- ``sending``: queue and send a fax once (claimed atomically); a lost answer is marked outcome-unknown.
- ``retry``: when a send the provider refused for now is tried again, and when it is given up.
- ``tracking``: follow a sent fax at the provider; reconcile a send whose answer was lost.
- ``watchdog``: resume sends that stopped, flag faxes stuck in one state.
- ``inbox``: fetch received faxes and their documents.
- ``downloads``: a document fetched from the provider because a person asked for it.
- ``actions``: retry, cancel and resend, as a person asks.
- ``storage``: the stored files behind drafts and fax documents.
- ``status``: the writes every step shares: status, error, timeline event.

A fax is recorded before it is sent and claimed atomically by the worker that
sends it, so a duplicate task or a double click never sends twice. A send
whose answer was lost (``ProviderUnavailable.request_sent``) is marked
``outcome_unknown`` and reconciled from the provider's records, never resent.
"""


class FaxActionError(Exception):
    """An action the user asked for that cannot be done; the message is for the user."""


class DocumentUnavailable(FaxActionError):
    """The document asked for does not exist to be fetched (not a provider failure): the API answers 404."""
