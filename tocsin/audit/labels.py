"""What an audit entry's dotted action means, in words an organization's admin reads."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    # The hotline: every read of a case or a plan is recorded, with who and when.
    "hotline.case.read": _("read a case"),
    "hotline.case.exported": _("printed or exported a case"),
    "hotline.case.opened": _("opened a case"),
    "hotline.case.state": _("changed a case's state"),
    "hotline.case.call": _("logged a call on a case"),
    "hotline.case.visit": _("logged a visit on a case"),
    "hotline.case.hearing": _("logged a hearing on a case"),
    "hotline.case.note": _("changed a case's notes"),
    "hotline.case.assigned": _("assigned a case"),
    "hotline.case.notified": _("told a plan's contacts"),
    "hotline.case.family_update": _("sent a family update"),
    "hotline.case.task": _("added or finished a case task"),
    "hotline.case.task_reminded": _("reminded about a case task"),
    "hotline.case.erased": _("erased a case's sensitive details"),
    "hotline.plan.read": _("read an emergency plan"),
    "hotline.plan.created": _("created an emergency plan"),
    "hotline.plan.saved": _("saved an emergency plan"),
    "hotline.plan.deleted": _("deleted an emergency plan"),
    "hotline.plan.wrong_pin": _("entered a wrong PIN for an emergency plan"),
    "hotline.plan.locked": _("locked an emergency plan after wrong PINs"),
    "hotline.facility.added": _("added a detention facility"),
    "hotline.facility.removed": _("removed a detention facility"),
    # Pledges: nobody's signing is ever recorded; reading the signers once it is on is.
    "pledges.pledge.created": _("created a pledge"),
    "pledges.pledge.sent": _("sent a pledge to the members it asks"),
    "pledges.pledge.activated": _("a pledge reached its threshold and went live"),
    "pledges.pledge.expired": _(
        "a pledge ended without its threshold; its signatures were deleted"
    ),
    "pledges.signers.read": _("read who signed a pledge"),
    "pledges.signature.withdrawn": _("withdrew a signature from a live pledge"),
    # Rapid response.
    "response.incident.read": _("read an incident"),
    "response.incident.opened": _("opened an incident"),
    "response.incident.claimed": _("claimed an incident"),
    "response.incident.released": _("released an incident"),
    "response.incident.taken_over": _("took over an incident"),
    "response.incident.dismissed": _("dismissed an incident"),
    "response.incident.merged": _("merged incidents"),
    "response.incident.split": _("split an incident"),
    "response.record.read": _("read an incident's record"),
    "response.record.exported": _("exported an incident's record"),
    "response.photo.viewed": _("viewed a photo"),
    "response.report.callback_read": _("read a reporter's callback number"),
    "response.report.senders_erased": _("erased reports' senders"),
    "response.van.dispatched": _("dispatched a van"),
    "delivery.alert.created": _("drafted an alert"),
    "delivery.alert.sent": _("sent an alert"),
    # People and the organization.
    "accounts.person.created": _("added a person"),
    "accounts.person.erased": _("erased a person"),
    "accounts.person.password_changed": _("changed a password"),
    "accounts.second_factor.enrolled": _("set up a second factor"),
    "accounts.second_factor.reset": _("reset a second factor"),
    "accounts.organization.updated": _("changed the organization's settings"),
    "accounts.site.created": _("added a site"),
    "accounts.site.updated": _("changed a site"),
    "accounts.site.linked": _("linked a site"),
    "accounts.site.unlinked": _("unlinked a site"),
    "accounts.unit.created": _("added a unit"),
    "accounts.unit.deleted": _("deleted a unit"),
    "accounts.contacts.viewed": _("viewed a member's contact addresses"),
    "accounts.membership.roles_changed": _("changed a member's roles"),
    "accounts.membership.placed": _("changed a member's unit or site"),
    "accounts.membership.deactivated": _("deactivated a member"),
    "accounts.membership.reactivated": _("reactivated a member"),
    "delivery.notice_channel.added": _("added a notice channel"),
    "delivery.notice_channel.removed": _("removed a notice channel"),
    "delivery.subscriptions.stopped": _("stopped their alerts"),
    "staff.password.invited": _("sent a sign-in invitation"),
    "staff.password.set": _("set a password"),
    "api.token.created": _("created an API token"),
    "api.token.revoked": _("revoked an API token"),
    "audit.log.exported": _("exported the audit log"),
}


def action_label(action: str) -> str:
    """Return the words for a dotted action, or the dotted name when it has none yet."""
    return ACTION_LABELS.get(action, action)
