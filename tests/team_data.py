"""A team with something of everything, rows and stored files, to see a team's deletion take it all
(and nothing of another team's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

from accounts.models import AuditEvent, Invitation, Membership, ProviderAccount, Team
from accounts.roles import Role
from accounts.sso_models import TeamSSO
from api.models import ApiToken
from fax.models import Fax, FaxDocument, FaxDraft
from messaging import uploads
from messaging.models import Contact, ContactImport, SmsBatch, SmsChunk, SmsRecipient
from notifications.models import Notification
from telephony.models import CallRecord
from tests.factories import AuditEventFactory, InvitationFactory, MembershipFactory, ProviderAccountFactory
from tests.fax.factories import draft_for, fax_with_documents
from tests.messaging.factories import ContactFactory, ContactImportFactory, SmsRecipientFactory
from tests.notifications.factories import NotificationFactory
from tests.telephony.factories import CallRecordFactory
from webhooks.models import Endpoint

# The models a team owns, each with how to find the team's rows.
TEAM_ROWS: dict[type[models.Model], str] = {
    Membership: "team",
    Invitation: "team",
    ProviderAccount: "team",
    AuditEvent: "team",
    SmsBatch: "team",
    SmsChunk: "batch__team",
    SmsRecipient: "batch__team",
    Contact: "team",
    ContactImport: "team",
    CallRecord: "team",
    Fax: "team",
    FaxDocument: "fax__team",
    FaxDraft: "team",
    Notification: "team",
    TeamSSO: "team",
    Endpoint: "team",
    ApiToken: "team",
}


@dataclass
class TeamData:
    team_id: int
    files: list[str] = field(default_factory=list)

    def row_counts(self) -> dict[str, int]:
        return {
            model.__name__: model._default_manager.filter(**{path: self.team_id}).count()
            for model, path in TEAM_ROWS.items()
        }

    def files_present(self) -> list[str]:
        return [path for path in self.files if default_storage.exists(path)]


def team_with_data(team: Team) -> TeamData:
    """Adds a provider account with credentials, an SMS batch, contacts, a contact import, a call with its
    recording, a fax with its document, a draft with its preview, a notification, an invitation, an audit event and
    a single sign-on connection, a webhook endpoint (each with its encrypted secret) and an API token."""
    data = TeamData(team_id=team.pk)
    pasifik = ProviderAccountFactory(team=team, kind="pasifik", label=f"Pasifik {team.pk}")
    SmsRecipientFactory(chunk__batch__team=team, chunk__batch__account=pasifik)
    ContactFactory(team=team)
    stashed = uploads.stash(team=team, name="numbers.csv", data=b"905321234567\n")
    data.files.append(f"{uploads.FOLDER}/{team.pk}/{stashed.split('/')[0]}")
    import_path = default_storage.save(f"contact-imports/{team.pk}/waiting", ContentFile(b"name,phone\n"))
    ContactImportFactory(team=team, path=import_path, state=ContactImport.State.QUEUED)
    data.files.append(import_path)
    call = CallRecordFactory(account=pasifik, has_recording=True, recording_name="in-1.wav")
    call.recording.name = default_storage.save(
        f"recordings/{team.pk}/{pasifik.pk}/{call.provider_id}.wav", ContentFile(b"RIFF....WAVE")
    )
    call.save(update_fields=["recording"])
    data.files.append(call.recording.name)
    fax = fax_with_documents(team)
    data.files.extend(d.file.name for d in fax.documents.all())
    draft = draft_for(team)
    data.files.extend(f["path"] for f in draft.files)
    data.files.append(draft.rendition["path"])
    NotificationFactory(team=team)
    InvitationFactory(team=team)
    AuditEventFactory(team=team, action="sms.send")
    TeamSSO.objects.create(
        team=team,
        slug=f"sso-{team.pk}",
        display_name="Entra ID",
        issuer="https://login.example.com/tenant/v2.0",
        client_id="portal",
        secrets={"client_secret": "s3cret"},
    )
    Endpoint.objects.create(
        team=team, url="https://hooks.example.com/in", events=["sms.delivered"], secret={"secret": "whsec_x"}
    )
    ApiToken.objects.create(
        team=team,
        membership=MembershipFactory(team=team, role=Role.OPERATOR),
        name="script",
        prefix=f"tp{team.pk}",
        secret_hash="0" * 64,
        expires_at=timezone.now() + timedelta(days=30),
    )
    return data
