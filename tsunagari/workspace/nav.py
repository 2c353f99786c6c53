"""What the workspace offers each role: its menu and the "what you can do here" list.

Add a page: append a NavItem (and, if it is a new kind of task, a line to CAN_DO).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tsunagari.accounts.models import Role

from .access import Workspace


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    # None: everyone with a role on the platform.
    roles: frozenset[str] | None = None

    def url(self, workspace: Workspace) -> str:
        return reverse(self.url_name, args=[workspace.platform.slug])


NAV: list[NavItem] = [
    NavItem(_("Workspace home"), "workspace:home"),
    NavItem(_("People and invitations"), "workspace:people", frozenset({Role.COORDINATOR, Role.OBSERVER})),
    NavItem(_("Your organisation's staff"), "workspace:organisation-staff", frozenset({Role.ORG_ADMIN})),
    NavItem(_("Listings to check"), "portal:staff", frozenset({Role.COORDINATOR})),
    NavItem(_("Members"), "workspace:members"),
    NavItem(_("Applications to join"), "workspace:members-applications", frozenset({Role.COORDINATOR})),
    NavItem(_("Agreements"), "workspace:members-agreements"),
    NavItem(_("Listings and changes"), "workspace:listings", frozenset({Role.COORDINATOR, Role.ORG_ADMIN})),
    NavItem(_("Problem reports"), "workspace:reports", frozenset({Role.COORDINATOR, Role.ORG_ADMIN})),
    NavItem(_("Notices"), "workspace:notices"),
    NavItem(_("Events and meetings"), "workspace:events"),
    NavItem(_("Training records"), "workspace:training", frozenset({Role.COORDINATOR, Role.OBSERVER})),
    NavItem(_("Know-how library"), "workspace:knowhow"),
    NavItem(_("Surveys"), "workspace:surveys", frozenset({Role.COORDINATOR, Role.OBSERVER})),
    NavItem(_("Audit log"), "workspace:audit", frozenset({Role.COORDINATOR})),
    NavItem(_("Councils and meetings"), "workspace:councils", frozenset({Role.COORDINATOR})),
    NavItem(_("Supporters"), "workspace:supporters", frozenset({Role.COORDINATOR})),
    NavItem(_("Concerns to triage"), "workspace:concerns", frozenset({Role.COORDINATOR})),
    NavItem(
        _("Report a concern"), "workspace:concern-report", frozenset({Role.COORDINATOR, Role.ORG_ADMIN, Role.ORG_STAFF})
    ),
    NavItem(
        _("Confidentiality pledge"), "workspace:pledge", frozenset({Role.COORDINATOR, Role.ORG_ADMIN, Role.ORG_STAFF})
    ),
    NavItem(_("Joint support figures"), "workspace:figures", frozenset({Role.COORDINATOR, Role.OBSERVER})),
]

CAN_DO: dict[str, list[str | Promise]] = {
    Role.COORDINATOR: [
        _("Invite people, give them roles and take roles away."),
        _("Check and edit the platform's support directory."),
        _("See everything coordinators and administrators did in the audit log, and export it."),
        _("Approve or decline organisations that apply to join, and keep the partnership agreements."),
        _("Review the listing changes members propose, and close the problems residents report."),
        _(
            "Post notices, run working groups, hold meetings, training and public events, "
            "and record who completed which course."
        ),
        _("Share the platform's know-how with every platform in the country."),
    ],
    Role.ORG_ADMIN: [
        _("Keep your organisation's listings right: edit them, and confirm them when asked."),
        _("Answer the problems residents report about your listings."),
        _("Invite your organisation's staff, and take their role away when they leave."),
        _("Read and post notices, register for meetings and training, and write know-how entries."),
    ],
    Role.ORG_STAFF: [
        _("Read and post notices, register for meetings and training, and write know-how entries."),
    ],
    Role.OBSERVER: [
        _("Read the platform's members, notices and meetings; you cannot change anything."),
        _("Read the training records and download them for the programme's reporting."),
    ],
}


def menu(workspace: Workspace) -> list[tuple[str | Promise, str]]:
    """The (label, URL) pairs of the pages `workspace`'s person may open."""
    return [(item.label, item.url(workspace)) for item in NAV if item.roles is None or workspace.has_role(*item.roles)]


def can_do(workspace: Workspace) -> list[tuple[str, list[str | Promise]]]:
    """For each role held, its label and what it lets the person do."""
    roles = Role.values if workspace.is_superuser else [role for role in Role.values if role in workspace.roles]
    return [(str(Role(role).label), CAN_DO.get(role, [])) for role in roles]
