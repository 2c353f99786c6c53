"""Demo case records for `seed-demo`: obviously fictional people (見本 …) in 鎌倉市 and their referrals.

The demo 社協 registered them with consent and referred some to the demo NPO; the referrals stand
in every state a demo visitor should see (a request to preview, an accepted one, one in progress,
finished ones), and enough past ones over the last months for the coordinators' figures to show
numbers rather than only 「10未満」. Re-runnable: a person already there (same name and birth date,
found through the keyed lookup) is left as people changed it, and gets no new referrals.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tsunagari.tenancy.models import Platform

from . import actions
from .lookup import find_person
from .models import Consent, Outcome, Person, Referral, Status

# (name, kana, birth date, note, need code, what the NPO is asked, the referral's state now)
DEMO_PERSONS: list[tuple[str, str, datetime.date, str, str, str, str]] = [
    (
        "見本 太郎",
        "みほん たろう",
        datetime.date(1948, 4, 1),
        "（デモ・架空の人物）ひとり暮らし。民生委員から、最近外出が減ったと気づきがあった。",
        "loneliness",
        "（デモ）週1回の訪問と、居場所カフェへのお誘い",
        Status.REQUESTED,
    ),
    (
        "見本 花子",
        "みほん はなこ",
        datetime.date(2008, 7, 20),
        "（デモ・架空の人物）祖母の介護で学校を休みがち。",
        "young_carer",
        "（デモ）ヤングケアラーの集いへのつなぎ",
        Status.ACCEPTED,
    ),
    (
        "見本 一郎",
        "みほん いちろう",
        datetime.date(1985, 11, 3),
        "（デモ・架空の人物）数年、家からほとんど出ていない。母親から相談。",
        "hikikomori",
        "（デモ）家族の会の紹介と、本人との面談",
        Status.IN_PROGRESS,
    ),
    (
        "見本 さくら",
        "みほん さくら",
        datetime.date(1992, 3, 15),
        "（デモ・架空の人物）転居してきたばかりで知り合いがいない。",
        "community",
        "（デモ）地域の居場所の紹介",
        Status.COMPLETED,
    ),
    (
        "見本 次郎",
        "みほん じろう",
        datetime.date(1956, 9, 9),
        "（デモ・架空の人物）食事を抜くことがある。",
        "food",
        "（デモ）配食サービスの案内",
        Status.DRAFT,
    ),
]
# Past referrals for the figures: (months ago, how many, need code, state, outcome)
PAST = [
    (3, 12, "loneliness", Status.COMPLETED, Outcome.GOT_HELP),
    (2, 11, "loneliness", Status.COMPLETED, Outcome.GOT_HELP),
    (2, 3, "hikikomori", Status.FAILED, Outcome.COULD_NOT_CONTACT),
    (1, 14, "community", Status.COMPLETED, Outcome.GOT_HELP),
    (1, 2, "food", Status.REJECTED, Outcome.NO_CAPACITY),
]
# The path each state is reached by, from a draft; the last move of a finished one takes an outcome.
PATHS: dict[str, list[str]] = {
    Status.DRAFT: [],
    Status.REQUESTED: [Status.REQUESTED],
    Status.ACCEPTED: [Status.REQUESTED, Status.ACCEPTED],
    Status.IN_PROGRESS: [Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS],
    Status.COMPLETED: [Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED],
    Status.FAILED: [Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.FAILED],
    Status.REJECTED: [Status.REQUESTED, Status.REJECTED],
}
REASONS: dict[str, str] = {
    Status.COMPLETED: "（デモ）支援につながりました。",
    Status.FAILED: "（デモ）何度か訪ねましたが会えませんでした。",
    Status.REJECTED: "（デモ）今月は受け入れの余裕がありません。",
}


def _walk(referral: Referral, to: str, *, council: Any, npo: Any, actor: Any, outcome: str = "") -> Referral:
    for step in PATHS[to]:
        orgs = frozenset({council.pk if step == Status.REQUESTED else npo.pk})
        last = step == to
        referral = actions.move(
            referral,
            step,
            orgs=orgs,
            actor=actor,
            reason=REASONS.get(step, "") if last else "",
            outcome=outcome if last else "",
        )
    return referral


# What the demo persons agreed the NPO may be told, and what the 社協 chose to tell it.
DEMO_CONSENT_ITEMS = ["name", "kana", "birth_date", "phone", "note", "need"]
DEMO_REFERRAL_ITEMS = ("kana", "phone")


def seed_cases(platform: Platform, *, council: Any, npo: Any, actor: Any = None) -> list[Person]:
    """The demo persons of `platform`, held by `council`, some referred to `npo`. Call with scopes disabled."""
    made = []
    for name, kana, born, note, need_code, need, state in DEMO_PERSONS:
        if find_person(Person.objects.filter(platform=platform), name, born).exists():
            continue
        person = actions.register_person(
            platform=platform,
            organization=council,
            name=name,
            birth_date=born,
            kana=kana,
            note=note,
            phone="0467-00-0000",
            address="神奈川県鎌倉市（デモ・架空の住所）",
            received_on=timezone.localdate() - datetime.timedelta(days=20),
        )
        # The person agreed to the NPO being told (a referral is sent only on a legal basis).
        actions.record_consent(
            person,
            organization_id=council.pk,
            actor=actor,
            method=Consent.Method.WRITTEN,
            given_on=timezone.localdate() - datetime.timedelta(days=20),
            recipients=[npo.pk],
            items=DEMO_CONSENT_ITEMS,
        )
        # The 社協 chose what the NPO needs to reach the person: besides the name and the need, the kana and
        # the phone number (not the birth date or the note, which the consent would also have allowed).
        referral = actions.refer(
            person=person, sender=council, receiver=npo, need=need, need_code=need_code, items=DEMO_REFERRAL_ITEMS
        )
        outcome = Outcome.GOT_HELP if state == Status.COMPLETED else ""
        _walk(referral, state, council=council, npo=npo, actor=actor, outcome=outcome)
        made.append(person)
    if made:
        _past_referrals(made, council=council, npo=npo, actor=actor)
    return made


def _past_referrals(persons: list[Person], *, council: Any, npo: Any, actor: Any) -> None:
    """Finished referrals of the last months (dated back), so that the figures have something to show."""
    now = timezone.now()
    number = 0
    for months_ago, count, need_code, state, outcome in PAST:
        for i in range(count):
            person = persons[number % len(persons)]
            number += 1
            referral = actions.refer(
                person=person, sender=council, receiver=npo, need="（デモ）過去のつなぎ", need_code=need_code
            )
            _walk(referral, state, council=council, npo=npo, actor=actor, outcome=outcome)
            made = now - datetime.timedelta(days=30 * months_ago - i % 5)
            Referral.objects.filter(pk=referral.pk).update(
                created_at=made,
                requested_at=made,
                accepted_at=None if state == Status.REJECTED else made + datetime.timedelta(days=1 + i % 4),
                closed_at=made + datetime.timedelta(days=6),
            )
