"""Values every page needs."""

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, str]:
    return {"quick_exit_url": settings.QUICK_EXIT_URL}
