from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import AuditEvent, Invitation, Membership, ProviderAccount, Team, User, hash_token
from accounts.roles import Role

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER


class ProviderAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderAccount

    team = factory.SubFactory(TeamFactory)
    kind = "pasifik"
    label = factory.Sequence(lambda n: f"Account {n}")
    credentials = factory.LazyFunction(lambda: {"username": "demo", "password": "demo-pass"})
    options = factory.LazyFunction(dict)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    team = factory.SubFactory(TeamFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.VIEWER
    token_hash = factory.Sequence(lambda n: hash_token(f"token-{n}"))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    team = factory.SubFactory(TeamFactory)
    action = "test.action"


# accounts' share of tests.team_objects.TEAM_OBJECT_FACTORIES (each app lists its own).
TEAM_OBJECT_FACTORIES = {
    Membership: lambda team: MembershipFactory(team=team, role=Role.VIEWER),
    Invitation: lambda team: InvitationFactory(team=team),
    ProviderAccount: lambda team: ProviderAccountFactory(team=team),
}
