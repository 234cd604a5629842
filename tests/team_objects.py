"""The model a view's URL id points at -> how to make one in a given team (the access matrix's objects).

A new view with ``team_model`` must have its model here; the permission and cross-team tests fail
until it does. Each app lists its own in ``tests/<app>/factories.py`` as ``TEAM_OBJECT_FACTORIES``.
"""

from __future__ import annotations

from tests import factories as accounts_factories
from tests.email_to_fax import factories as email_to_fax_factories
from tests.exportjobs import factories as exportjobs_factories
from tests.fax import factories as fax_factories
from tests.fax_to_email import factories as fax_to_email_factories
from tests.messaging import factories as messaging_factories
from tests.notifications import factories as notifications_factories
from tests.telephony import factories as telephony_factories
from tests.webhooks import factories as webhooks_factories

TEAM_OBJECT_FACTORIES = {
    **accounts_factories.TEAM_OBJECT_FACTORIES,
    **messaging_factories.TEAM_OBJECT_FACTORIES,
    **telephony_factories.TEAM_OBJECT_FACTORIES,
    **fax_factories.TEAM_OBJECT_FACTORIES,
    **fax_to_email_factories.TEAM_OBJECT_FACTORIES,
    **notifications_factories.TEAM_OBJECT_FACTORIES,
    **webhooks_factories.TEAM_OBJECT_FACTORIES,
    **email_to_fax_factories.TEAM_OBJECT_FACTORIES,
    **exportjobs_factories.TEAM_OBJECT_FACTORIES,
}
