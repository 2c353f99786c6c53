"""The respondent's pages: an anonymous questionnaire, one page at a time, that works without JavaScript.

A respondent arrives with an invitation code (the QR code or the address on the mailed letter, or the
code typed in at /<platform>/surveys/) or by the survey's open link. The invitation's own link, or
for the open link a link with a code made for this respondent, brings them back to where they
stopped: every page is saved as it is sent. After submitting, the link shows only that the
questionnaire was answered, never the answers: whoever holds a letter must not read another
person's answers. Every POST is limited per client address (django-ratelimit).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from tsunagari.tenancy.access import get_public_platform
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope

from . import actions
from .models import Invitation, Question, Response, Survey, digest
from .questionnaire import Questionnaire

ACTIONS = {"next", "back", "save", "submit"}


def _limited(request: HttpRequest, group: str, rate: str) -> bool:
    return is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True)


def _page(request: HttpRequest, platform: Platform, template: str, status: int = 200, **context: Any) -> HttpResponse:
    response = render(request, template, {"platform": platform, **context}, status=status)
    # Answers are on these pages: never kept by a browser's or a proxy's cache, never indexed.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _too_many(request: HttpRequest, platform: Platform) -> HttpResponse:
    return _page(request, platform, "surveys/portal/too_many.html", status=429)


@never_cache
def enter_code(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """Type the code printed on the letter (for those who do not scan the QR code)."""
    platform = get_public_platform(platform_slug)
    error = ""
    if request.method == "POST":
        if _limited(request, "surveys.code", settings.SURVEY_CODE_RATE):
            return _too_many(request, platform)
        code = "".join(request.POST.get("code", "").split())
        with platform_scope(platform, with_national=False):
            found = Invitation.objects.filter(platform=platform, token=code).exists() if code else False
        if found:
            return redirect("surveys:invitation", platform.slug, code)
        error = _("This code was not found. Check it against the letter (capital and small letters differ).")
    return _page(request, platform, "surveys/portal/code.html", status=400 if error else 200, error=error)


@never_cache
def invitation(request: HttpRequest, platform_slug: str, token: str) -> HttpResponse:
    """Answer with an invitation: the same link starts, resumes and, once answered, says so."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform, with_national=False):
        found = Invitation.objects.filter(platform=platform, token=token).select_related("survey").first()
        if found is None:
            raise Http404
        survey = found.survey
        if survey.status == Survey.Status.DRAFT:
            raise Http404
        existing = Response.objects.filter(invitation=found).first()
        if existing is not None and existing.is_submitted:
            return _page(request, platform, "surveys/portal/done.html", survey=survey, already=True)
        if not survey.is_open:
            return _page(request, platform, "surveys/portal/closed.html", survey=survey)
        if existing is None and request.method != "POST":
            # A GET (a mail filter, a preview) does not start a response; the respondent's first answer does.
            return _answer(request, platform, survey, None, request.path, invitation=found)
        response = existing or actions.response_for_invitation(found)
        return _answer(request, platform, survey, response, request.path)


@never_cache
def open_link(request: HttpRequest, platform_slug: str, key: str) -> HttpResponse:
    """The open link: the introduction and a button that starts a new response."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform, with_national=False):
        survey = Survey.objects.filter(platform=platform, public_key=key, open_link=True).first()
        if survey is None or survey.status == Survey.Status.DRAFT:
            raise Http404
        if not survey.is_open:
            return _page(request, platform, "surveys/portal/closed.html", survey=survey)
        if request.method == "POST":
            if _limited(request, "surveys.start", settings.SURVEY_START_RATE):
                return _too_many(request, platform)
            _response, code = actions.start_open_response(survey)
            return redirect("surveys:resume", platform.slug, code)
        return _page(request, platform, "surveys/portal/start.html", survey=survey)


@never_cache
def resume(request: HttpRequest, platform_slug: str, code: str) -> HttpResponse:
    """An open-link respondent's own link back to their answers."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform, with_national=False):
        response = (
            Response.objects.filter(platform=platform, resume_hash=digest(code), invitation__isnull=True)
            .select_related("survey")
            .first()
        )
        if response is None or response.survey.status == Survey.Status.DRAFT:
            raise Http404
        if response.is_submitted:
            return _page(request, platform, "surveys/portal/done.html", survey=response.survey, already=True)
        if not response.survey.is_open:
            return _page(request, platform, "surveys/portal/closed.html", survey=response.survey)
        return _answer(request, platform, response.survey, response, request.path)


def _answered(request: HttpRequest, platform: Platform, survey: Survey) -> HttpResponse:
    """The response was submitted in another tab, or replaced by the paper questionnaire of its letter."""
    return _page(request, platform, "surveys/portal/done.html", survey=survey, already=True)


def _raw(request: HttpRequest, question: Question) -> str | list[str] | None:
    if question.kind == Question.Kind.MULTIPLE:
        return request.POST.getlist(question.name)
    return request.POST.get(question.name)


def _may_follow(form: Questionnaire, page: int, answers: dict[str, Any]) -> bool:
    """Whether a page after `page` is shown now, or may be once this page is answered (the button says Next)."""
    here = {q.name for q in form.on_page(page)}
    for later in form.pages:
        if later <= page:
            continue
        for question in form.on_page(later):
            expression = form.relevant.get(question.name)
            if form.is_shown(question, answers) or (expression is not None and expression.references & here):
                return True
    return False


def _shown_pages(form: Questionnaire, answers: dict[str, Any]) -> list[int]:
    """The pages with at least one question shown, given the answers so far."""
    return [page for page in form.pages if any(form.is_shown(q, answers) for q in form.on_page(page))] or [1]


def _answer(
    request: HttpRequest,
    platform: Platform,
    survey: Survey,
    response: Response | None,
    url: str,
    *,
    invitation: Invitation | None = None,
) -> HttpResponse:
    form = Questionnaire.load(survey)
    answers: dict[str, Any] = dict(response.answers) if response else {}
    pages = _shown_pages(form, answers)
    try:
        page = int(request.POST.get("page") or request.GET.get("page") or (response.page if response else pages[0]))
    except ValueError:
        page = pages[0]
    if page not in form.pages:
        page = pages[0]
    errors: dict[str, str] = {}
    raw: dict[str, Any] = {}
    if request.method == "POST" and response is not None:
        if _limited(request, "surveys.answer", settings.SURVEY_ANSWER_RATE):
            return _too_many(request, platform)
        action = request.POST.get("action", "next")
        action = action if action in ACTIONS else "next"
        questions = [q for q in form.on_page(page)]
        raw = {q.name: _raw(request, q) for q in questions}
        answers, errors = form.apply(questions, raw, answers)
        answers = form.prune(answers)
        pages = _shown_pages(form, answers)
        if action == "back":
            if not actions.save_page(response, answers, page):
                return _answered(request, platform, survey)
            earlier = [p for p in pages if p < page]
            return redirect(f"{url}?page={earlier[-1] if earlier else pages[0]}")
        if action == "save":
            if not actions.save_page(response, answers, page):
                return _answered(request, platform, survey)
            return _page(
                request, platform, "surveys/portal/saved.html", survey=survey, link=request.build_absolute_uri(url)
            )
        if not errors:
            later = [p for p in pages if p > page]
            if later:
                if not actions.save_page(response, answers, later[0]):
                    return _answered(request, platform, survey)
                return redirect(f"{url}?page={later[0]}")
            missing = form.missing(answers)
            if not missing:
                if not actions.submit(response, answers):
                    return _answered(request, platform, survey)
                return _page(request, platform, "surveys/portal/done.html", survey=survey, already=False)
            # A required question earlier on was left (its page was skipped, then became shown).
            if not actions.save_page(response, answers, missing[0].page):
                return _answered(request, platform, survey)
            return redirect(f"{url}?page={missing[0].page}")
        if not actions.save_page(response, {k: v for k, v in answers.items() if k not in errors}, page):
            return _answered(request, platform, survey)
    shown = [q for q in form.on_page(page) if form.is_shown(q, answers)]
    items = [
        {
            "question": q,
            "options": form.options(q, answers) if q.has_choices else [],
            "value": raw.get(q.name, answers.get(q.name)) if raw else answers.get(q.name),
            "error": errors.get(q.name, ""),
        }
        for q in shown
    ]
    position = pages.index(page) + 1 if page in pages else 1
    return _page(
        request,
        platform,
        "surveys/portal/answer.html",
        status=400 if errors else 200,
        survey=survey,
        items=items,
        errors=errors,
        page=page,
        position=position,
        page_count=len(pages),
        is_last=not _may_follow(form, page, answers),
        is_first=position == 1,
        starting=response is None,
        action_url=url,
        code_url=reverse("surveys:code", args=[platform.slug]),
    )
