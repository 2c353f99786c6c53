from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinderConfig(AppConfig):
    name = "tsunagari.finder"
    verbose_name = _("Finder")

    def ready(self) -> None:
        from tsunagari.audit.models import ACTION_LABELS

        ACTION_LABELS.update(
            {
                "finder.saved_texts_read": _("read the texts residents wrote in the chat"),
                "finder.saved_texts_purged": _("deleted residents' chat texts past their retention period"),
            }
        )
