"""Demo know-how for `seed-demo`: on each demo platform one internal case study and one shared note.

Everything is marked （デモ） and idempotent: seeding again finds what is there.
"""

from __future__ import annotations

from typing import Any

from tsunagari.accounts.models import User
from tsunagari.tenancy.models import Platform

from . import actions
from .models import Collaboration, Entry

DEMO_ENTRIES: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "kamakura": (
        "kamakura",
        [
            {
                "title": "（デモ）社協と市で、ひきこもりの家族会を立ち上げた",
                "kind": Entry.Kind.CASE_STUDY,
                "body": "市の福祉課と社協が月1回の家族会を共催し、民生委員が気になる家庭に声をかけた。"
                "半年で12家族が参加し、3人の本人が居場所カフェにつながった。",
                "cautions": "会場は役所以外（公民館）のほうが来やすい。個人情報の扱いを最初に文書で決めておく。",
                "needs": ["hikikomori", "loneliness"],
                "targets": ["family", "youth"],
                "collaborations": [Collaboration.GOV_COUNCIL, Collaboration.PLACES],
                "scope": Entry.Scope.INTERNAL,
            },
            {
                "title": "（デモ）官民連携会議を「顔の見える場」にする工夫",
                "kind": Entry.Kind.NOTE,
                "body": "議題を1週間前に配り、冒頭に各団体が1分ずつ近況を話す時間を取った。"
                "会議後に名刺交換と個別相談の時間を設けたところ、団体間の紹介が増えた。",
                "cautions": "参加団体が30を超えると一言ずつでも時間が足りない。分科会に分けるとよい。",
                "needs": ["loneliness", "community"],
                "targets": ["anyone"],
                "collaborations": [Collaboration.PLATFORM_MEETING, Collaboration.REFERRAL],
                "scope": Entry.Scope.SHARED,
            },
        ],
    ),
    "kyoto-city": (
        "kyoto",
        [
            {
                "title": "（デモ）こども食堂と企業の連携で食材を安定させた",
                "kind": Entry.Kind.CASE_STUDY,
                "body": "地元のスーパー3社が賞味期限の近い食材を寄付し、社協が配送を調整した。",
                "cautions": "食品衛生の責任分担を協定書で決めておくこと。",
                "needs": ["food", "children"],
                "targets": ["children", "single_parent"],
                "collaborations": [Collaboration.GOV_BUSINESS, Collaboration.GOV_COUNCIL],
                "scope": Entry.Scope.INTERNAL,
            },
            {
                "title": "（デモ）つながりサポーター養成講座を大学と共催した",
                "kind": Entry.Kind.NOTE,
                "body": "大学の公開講座として開くと、若い世代の受講者が半数を超えた。"
                "修了者には地域の居場所を紹介した。",
                "cautions": "修了後の活動先を講座の前に用意しておかないと、受講しただけで終わってしまう。",
                "needs": ["loneliness"],
                "targets": ["youth", "anyone"],
                "collaborations": [Collaboration.TRAINING, Collaboration.SUPPORTERS],
                "scope": Entry.Scope.SHARED,
            },
        ],
    ),
}


def seed_knowhow(platforms: dict[str, Platform]) -> None:
    """Call with scopes disabled, after the demo accounts exist."""
    for slug, (prefix, entries) in DEMO_ENTRIES.items():
        platform = platforms[slug]
        coordinator = User.objects.get(username=f"{prefix}-coordinator")
        for fields in entries:
            if not Entry.objects.filter(platform=platform, title=fields["title"]).exists():
                actions.create_entry(platform, author=coordinator, **fields)
