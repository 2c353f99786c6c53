"""The LINE webhook's URL. line-bot-sdk is imported on the first webhook, not when URLs load.

The SDK (its generated pydantic models) takes seconds to import on a busy machine; imported with
the URLs, it made every process's first request wait for it, although most platforms have no LINE
channel. `python bench/first_request.py` measures the difference.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

app_name = "line"


@csrf_exempt  # the CSRF middleware reads this from the view the URL resolves to
def webhook(request: HttpRequest, platform_slug: str) -> HttpResponse:
    from . import views

    response: Any = views.webhook(request, platform_slug)
    return response


urlpatterns = [path("", webhook, name="webhook")]
