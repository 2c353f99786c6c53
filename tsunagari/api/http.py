"""The plumbing every API view shares: rate limit, response cache, tenant scope, JSON, headers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage

from tsunagari.directory.signals import directory_version
from tsunagari.tenancy.scoping import scope

from .catalogue import Catalogue
from .params import ApiError

JSON_TYPE = "application/json; charset=utf-8"
NDJSON_TYPE = "application/x-ndjson; charset=utf-8"
CACHE_CONTROL = "public, max-age=60"
# Errors are never kept by shared caches: a fixed record or a lifted limit must show at once.
ERROR_CACHE_CONTROL = "no-store"
# The records and the messages are Japanese whatever Accept-Language asks for (the messages have
# no English translation): say so rather than let LocaleMiddleware claim another language.
CONTENT_LANGUAGE = "ja"
ALLOW = "GET, HEAD, OPTIONS"
# Cached pages also expire on their own: a bound on staleness should a write ever miss the
# version bump (e.g. a raw SQL fix), and Redis keys from old versions go away.
CACHE_SECONDS = 600
RATE_GROUP = "tsunagari.api"
SOURCES_HEADER = "X-Attribution-Sources"


@dataclass
class Payload:
    """What a view answers: a JSON body, and the source data sets of the records in it."""

    data: Any
    sources: Iterable[str] = field(default_factory=tuple)
    status: int = 200


ApiView = Callable[..., "Payload | StreamingHttpResponse"]
R = TypeVar("R", bound=HttpResponseBase)


def api_view(view: ApiView) -> Callable[..., HttpResponseBase]:
    """Wrap a view `view(request, catalogue, **kwargs)` as a public, cached, rate-limited endpoint.

    The view runs inside the catalogue's tenant scope and returns a Payload (or a streaming
    response, which is never cached). ApiError and Http404 become JSON errors.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, platform_slug: str | None = None, **kwargs: Any) -> HttpResponseBase:
        with translation.override(CONTENT_LANGUAGE):
            return _answer(request, platform_slug, **kwargs)

    def _answer(request: HttpRequest, platform_slug: str | None, **kwargs: Any) -> HttpResponseBase:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ALLOW
            return _with_headers(response)
        if request.method not in ("GET", "HEAD"):
            return method_not_allowed()
        limited = _rate_limit(request)
        if limited is not None:
            return limited
        key = _cache_key(request, platform_slug)
        cached = caches["pages"].get(key)
        if cached is not None:
            content, sources = cached
            return _with_headers(HttpResponse(content, content_type=JSON_TYPE), sources)
        try:
            catalogue = Catalogue.for_slug(platform_slug)
            with scope(platform=catalogue.scope_ids):
                result = view(request, catalogue, **kwargs)
        except ApiError as error:
            return _with_headers(json_response(error.as_json(), status=error.status))
        except Http404:
            return not_found()
        if isinstance(result, StreamingHttpResponse):
            return _with_headers(result)
        content = encode(result.data)
        sources = ",".join(sorted(set(result.sources)))
        if result.status == 200:
            caches["pages"].set(key, (content, sources), CACHE_SECONDS)
        return _with_headers(HttpResponse(content, status=result.status, content_type=JSON_TYPE), sources)

    # Nothing here changes state and no cookie is read: a write is answered 405 in JSON, not
    # with the CSRF failure page.
    return csrf_exempt(wrapper)


def method_not_allowed() -> HttpResponse:
    response = json_response({"message": _("この API は GET だけを受け付けます。")}, status=405)
    response["Allow"] = ALLOW
    return _with_headers(response)


def not_found() -> HttpResponse:
    with translation.override(CONTENT_LANGUAGE):
        message = _("指定されたものは見つかりません。")
    return _with_headers(json_response({"message": message}, status=404))


def encode(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(data: Any, *, status: int = 200) -> HttpResponse:
    return HttpResponse(encode(data), status=status, content_type=JSON_TYPE)


def ndjson_response(lines: Iterator[Any]) -> StreamingHttpResponse:
    """One JSON document per line, streamed as the rows are read."""
    return StreamingHttpResponse((encode(item) + b"\n" for item in lines), content_type=NDJSON_TYPE)


def _with_headers(response: R, sources: str = "") -> R:
    # Open data: any web page may read it, and shared caches may keep it for a minute.
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Expose-Headers"] = f"{SOURCES_HEADER}, Retry-After"
    response["Content-Language"] = CONTENT_LANGUAGE
    if "Cache-Control" not in response:
        response["Cache-Control"] = CACHE_CONTROL if response.status_code < 400 else ERROR_CACHE_CONTROL
    if sources:
        response[SOURCES_HEADER] = sources
    return response


def _cache_key(request: HttpRequest, platform_slug: str | None) -> str:
    return _key_for(request.build_absolute_uri(), platform_slug, directory_version())


def _key_for(url: str, platform_slug: str | None, version: int) -> str:
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"api:{version}:{platform_slug or '*'}:{digest}"


def prefill(pages: Iterable[tuple[str, Payload]], platform_slug: str | None) -> None:
    """Cache answers computed on the way, under their absolute URLs, as if they had been asked for."""
    version = directory_version()
    caches["pages"].set_many(
        {
            _key_for(url, platform_slug, version): (encode(payload.data), ",".join(sorted(set(payload.sources))))
            for url, payload in pages
        },
        CACHE_SECONDS,
    )


def _rate(group: str, request: HttpRequest) -> str:
    return settings.API_RATE


def _rate_limit(request: HttpRequest) -> HttpResponseBase | None:
    """Count this request against the client's address; the 429 response when over the limit."""
    usage = get_usage(request, group=RATE_GROUP, key="ip", rate=_rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return too_many_requests(max(int(usage["time_left"]), 1))


def too_many_requests(retry_after: int) -> HttpResponse:
    response = json_response(
        {
            "message": _("リクエストが多すぎます。%(seconds)d 秒待ってからもう一度お試しください。")
            % {"seconds": retry_after}
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    # Never let a shared cache hand one client's 429 to everyone else (as for every error).
    return _with_headers(response)
