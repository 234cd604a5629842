from django.urls import path

from . import password_reset, profile, two_factor_views, user_sessions, views

urlpatterns = [
    path("team/", views.TeamSettingsView.as_view(), name="team-settings"),
    path("team/new/", views.TeamCreateView.as_view(), name="team-create"),
    path("team/switch/", views.TeamSwitchView.as_view(), name="team-switch"),
    path("team/members/", views.MembersView.as_view(), name="members"),
    path("team/members/invite/", views.InviteView.as_view(), name="member-invite"),
    path("team/members/<int:pk>/role/", views.MemberRoleView.as_view(), name="member-role"),
    path("team/members/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member-remove"),
    path("team/members/<int:pk>/unlock/", views.MemberUnlockView.as_view(), name="member-unlock"),
    path("team/invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation-revoke"),
    path("invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("team/providers/", views.ProviderAccountListView.as_view(), name="provider-list"),
    path("team/providers/new/<slug:kind>/", views.ProviderAccountFormView.as_view(), name="provider-create"),
    path("team/providers/<int:pk>/", views.ProviderAccountFormView.as_view(), name="provider-edit"),
    path("team/providers/<int:pk>/delete/", views.ProviderAccountDeleteView.as_view(), name="provider-delete"),
    path("team/providers/<int:pk>/test/", views.ProviderAccountTestView.as_view(), name="provider-test"),
    path("team/providers/<int:pk>/connect/", views.TelsamConnectView.as_view(), name="provider-connect"),
    path("team/providers/telsam/callback/", views.TelsamCallbackView.as_view(), name="telsam-callback"),
    path("team/two-factor/", two_factor_views.TeamTwoFactorView.as_view(), name="team-two-factor"),
    path("accounts/login/code/", two_factor_views.TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path("accounts/password/reset/", password_reset.PasswordResetView.as_view(), name="password-reset"),
    path("accounts/password/reset/sent/", password_reset.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        password_reset.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("account/sessions/", user_sessions.SessionsView.as_view(), name="sessions"),
    path("account/profile/", profile.ProfileView.as_view(), name="profile"),
    path("account/email/confirm/<str:token>/", profile.EmailChangeConfirmView.as_view(), name="email-change-confirm"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("account/security/", two_factor_views.SecurityView.as_view(), name="security"),
    path("account/security/setup/", two_factor_views.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("account/security/disable/", two_factor_views.TwoFactorDisableView.as_view(), name="two-factor-disable"),
    path("account/security/recovery-codes/", two_factor_views.RecoveryCodesView.as_view(), name="recovery-codes"),
    path("team/audit/", views.AuditLogView.as_view(), name="audit"),
    path("team/audit/export/", views.AuditExportView.as_view(), name="audit-export"),
    path("team/audit/export.csv", views.AuditExportView.as_view()),  # the address before XLSX: bookmarks keep working
]
