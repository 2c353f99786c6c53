"""django.contrib.admin with the audited site as `admin.site`: the admin's entry in INSTALLED_APPS.

Kept apart from admin_site.py, which needs the models: INSTALLED_APPS is read before they load.
"""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "tsunagari.audit.admin_site.AuditedAdminSite"
