from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tsunagari.accounts"
    verbose_name = _("People and roles")

    def ready(self) -> None:
        from allauth.account.decorators import secure_admin_login
        from django.contrib import admin

        # The admin's own login form would skip two-factor authentication and the lockout page;
        # send it to allauth's sign-in instead.
        admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
