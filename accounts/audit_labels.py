"""How the audit log reads to a person: each action code and detail key in their language.

Events store stable codes (``sms.send``) and plain details; these labels are only
for showing them, so a code without a label still shows (as itself).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .roles import Role

ACTIONS = {
    "account.email_change": _("Email address changed"),
    "account.email_change_request": _("Email change asked for"),
    "account.password_change": _("Password changed"),
    "account.password_reset": _("Password reset by email link"),
    "account.profile_update": _("Profile changed"),
    "account.sessions_end": _("Other sessions logged out"),
    "api_token.create": _("API token made"),
    "api_token.revoke": _("API token revoked"),
    "audit.export": _("Audit log exported"),
    "calls.disconnect": _("Call disconnected"),
    "calls.export": _("Calls exported"),
    "calls.recording_download": _("Recording downloaded"),
    "calls.recording_play": _("Recording played"),
    "fax.cancel": _("Fax cancelled"),
    "fax.mailbox_update": _("Email-to-fax mailbox changed"),
    "fax.contact_create": _("Fax contact added"),
    "fax.contact_delete": _("Fax contact deleted"),
    "fax.contact_update": _("Fax contact changed"),
    "fax.contacts_import": _("Fax contacts imported"),
    "fax.contacts_export": _("Fax contacts exported"),
    "fax.cover_template_create": _("Cover page added"),
    "fax.cover_template_delete": _("Cover page deleted"),
    "fax.cover_template_update": _("Cover page changed"),
    "fax_mail.opt_in": _("Received faxes by email turned back on"),
    "fax_mail.opt_out": _("Received faxes by email turned off"),
    "fax_mail.resend": _("Fax email sent again"),
    "fax_mail.rule_create": _("Fax routing rule added"),
    "fax_mail.rule_delete": _("Fax routing rule deleted"),
    "fax_mail.rule_update": _("Fax routing rule changed"),
    "fax.download": _("Fax downloaded"),
    "fax.group_create": _("Fax contact group added"),
    "fax.group_delete": _("Fax contact group deleted"),
    "fax.group_update": _("Fax contact group changed"),
    "fax.retry": _("Fax retried"),
    "fax.schedule_cancel": _("Scheduled fax cancelled"),
    "fax.schedule_edit": _("Scheduled fax moved"),
    "fax.send": _("Fax sent"),
    "invitation.accept": _("Invitation accepted"),
    "invitation.create": _("Invitation sent"),
    "invitation.revoke": _("Invitation withdrawn"),
    "member.leave": _("Member left the team"),
    "member.recording_numbers": _("Member's recording limits changed"),
    "member.remove": _("Member removed"),
    "member.role_change": _("Member's role changed"),
    "legal_hold.clear": _("Legal hold cleared"),
    "legal_hold.set": _("Legal hold set"),
    "member.unlock": _("Member unlocked after failed log-ins"),
    "notifications.read_all": _("Notifications marked read"),
    "personal_data.erase": _("Personal data erased"),
    "personal_data.export": _("Personal data exported"),
    "provider.check": _("Provider connection tested"),
    "provider.connect": _("Provider account connected"),
    "provider.create": _("Provider account added"),
    "provider.delete": _("Provider account deleted"),
    "provider.retire": _("Provider account switched off, its credentials erased"),
    "provider.fax_mailto": _("Provider's fax-to-email addresses set"),
    "provider.update": _("Provider account changed"),
    "retention.calls": _("Expired call records deleted"),
    "retention.fax_documents": _("Expired fax documents deleted"),
    "retention.recordings": _("Expired call recordings deleted"),
    "retention.sms": _("Expired SMS texts and recipients deleted"),
    "retention.update": _("Retention settings changed"),
    "sms.cancel": _("SMS batch cancelled"),
    "sms.contact_create": _("Contact added"),
    "sms.contact_delete": _("Contact deleted"),
    "sms.contact_update": _("Contact changed"),
    "sms.contacts_import": _("Contacts imported"),
    "sms.group_create": _("Contact group created"),
    "sms.group_delete": _("Contact group deleted"),
    "sms.group_update": _("Contact group renamed"),
    "sms.import": _("SMS history imported"),
    "sms.opt_out": _("Number opted out of SMS"),
    "sms.opt_out_remove": _("Number may receive SMS again"),
    "sms.pause": _("SMS batch paused"),
    "sms.resume": _("SMS batch resumed"),
    "sms.retry": _("SMS batch retried"),
    "sms.schedule_cancel": _("Scheduled SMS cancelled"),
    "sms.schedule_edit": _("Scheduled SMS changed"),
    "sms.send": _("SMS sent"),
    "sms.template_create": _("SMS template saved"),
    "sms.template_delete": _("SMS template deleted"),
    "sso.create": _("Single sign-on set up"),
    "sso.delete": _("Single sign-on removed"),
    "sso.member_create": _("Member added by single sign-on"),
    "sso.sign_in": _("Signed in with single sign-on"),
    "sso.update": _("Single sign-on settings changed"),
    "team.create": _("Team created"),
    "team.delete": _("Team deleted"),
    "team.recording_access": _("Recording access changed"),
    "team.require_two_factor": _("Two-factor requirement changed"),
    "team.transfer_ownership": _("Ownership transferred"),
    "team.update": _("Team settings changed"),
    "two_factor.disable": _("Two-factor login turned off"),
    "two_factor.enable": _("Two-factor login turned on"),
    "two_factor.recovery_code_used": _("Recovery code used"),
    "two_factor.recovery_codes": _("New recovery codes made"),
    "webhook.create": _("Webhook endpoint added"),
    "webhook.delete": _("Webhook endpoint deleted"),
    "webhook.redeliver": _("Webhook delivery sent again"),
    "webhook.update": _("Webhook endpoint changed"),
}

# In the order they are shown.
DETAILS = {
    "chunks": _("chunks"),
    "codes_left": _("recovery codes left"),
    "count": _("count"),
    "credentials_changed": _("credentials changed"),
    "email": _("email address"),
    "old_email": _("old email address"),
    "fields": _("fields"),
    "held": _("held until due"),
    "kind": _("provider"),
    "mfa": _("multi-factor login asserted"),
    "new_account": _("new account"),
    "new_owner": _("new owner"),
    "old_owner": _("previous owner"),
    "old_role": _("old role"),
    "new_role": _("new role"),
    "recipients": _("recipients"),
    "rerouted": _("address changed"),
    "required": _("required"),
    "role": _("role"),
    "url": _("URL"),
    "events": _("events"),
    "enabled": _("enabled"),
    "event": _("event"),
    "delivery": _("delivery"),
    "team_name": _("team"),
    "team_id": _("team id"),
    "members": _("members"),
    "provider_accounts": _("provider accounts"),
    "scheduled_before": _("scheduled before"),
    "scheduled": _("scheduled for"),
    "text_changed": _("text changed"),
    "name": _("name"),
    "scope": _("scope"),
    "days": _("days"),
    "via_api_token": _("via API token"),
    "listen_role": _("lowest role that may listen"),
    "download_role": _("lowest role that may download"),
    "numbers": _("extensions or numbers"),
    "reason": _("reason"),
    "kept_days": _("kept for (days)"),
    "recordings_days": _("call recordings kept for (days)"),
    "calls_days": _("call records kept for (days)"),
    "sms_days": _("SMS texts and recipients kept for (days)"),
    "fax_documents_days": _("fax documents kept for (days)"),
    "number": _("number"),
    "number_hash": _("number fingerprint"),
    "calls": _("calls"),
    "recordings": _("recordings"),
    "sms_recipients": _("SMS recipients"),
    "contacts": _("contacts"),
    "opt_outs": _("opt-outs"),
    "faxes": _("faxes"),
    "fax_documents": _("fax documents"),
    "files": _("files deleted"),
    "complete": _("complete"),
    "stopped_at": _("stopped at"),
    "created": _("added"),
    "updated": _("updated"),
    "left_out": _("rows left out"),
    "rows": _("rows"),
    "our_number": _("our fax number"),
    "emails": _("email addresses"),
    "attach_document": _("document attached"),
    "language": _("language"),
    "previous_state": _("previous state"),
    "addresses": _("addresses"),
}
ROLE_KEYS = {"role", "old_role", "new_role", "listen_role", "download_role"}
# The model fields a change names (``fields``: the profile's, the team's), as their forms label them.
FIELDS = {
    "full_name": _("full name"),
    "language": _("language"),
    "name": _("name"),
    "time_zone": _("time zone"),
    "notification_email": _("notification email"),
}
# Retention periods: no value is "kept forever".
DAYS_KEYS = {"kept_days", "recordings_days", "calls_days", "sms_days", "fax_documents_days"}


def action_label(code: str) -> str:
    label = ACTIONS.get(code)
    return str(label) if label is not None else code


def _value(key: str, value: Any) -> str:
    if key in ROLE_KEYS and value in Role.values:
        return str(Role(value).label)
    if key in DAYS_KEYS and value is None:
        return str(_("forever"))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        if key == "fields":
            value = [FIELDS.get(v, v) for v in value]
        return ", ".join(str(v) for v in value) if value else "—"
    return str(value)


def details_text(data: Any) -> str:
    """``{"old_role": "viewer", "new_role": "operator"}`` -> "old role: Viewer · new role: Operator"."""
    if not isinstance(data, dict) or not data:
        return ""
    # A stable order (PostgreSQL's jsonb does not keep the stored one): known keys as listed above.
    order = {key: n for n, key in enumerate(DETAILS)}
    keys = sorted(data, key=lambda key: (order.get(key, len(order)), key))
    return " · ".join(f"{DETAILS.get(key, key)}: {_value(key, data[key])}" for key in keys)
