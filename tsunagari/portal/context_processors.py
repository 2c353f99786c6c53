"""Values every page needs."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# Data (window names, hours, addresses, line names) is Japanese. On a Japanese page it inherits
# <html lang="ja">; only a page in another language marks it, so the ja pages do not carry
# ` lang="ja"` sixty times (issue 9's page weight, docs/portal.md).
LANG_JA = mark_safe(' lang="ja"')


def portal(request: HttpRequest) -> dict[str, str | SafeString]:
    return {
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "lang_ja": "" if (get_language() or "ja").startswith("ja") else LANG_JA,
    }
