"""Demo notice boards for `seed-demo`: a working group and a few notices on the two demo platforms.

Everything is marked （デモ） and idempotent: seeding again finds what is there.
"""

from __future__ import annotations

from tsunagari.accounts.models import User
from tsunagari.tenancy.models import Platform

from . import actions
from .models import Notice, WorkingGroup

# platform slug → the demo accounts' username prefix
DEMO_PLATFORMS = {"kamakura": "kamakura", "kyoto-city": "kyoto"}


def seed_notices(platforms: dict[str, Platform]) -> None:
    """A working group with the demo staff, a pinned notice for all, a group notice with a comment.

    Call with scopes disabled, after the demo accounts exist.
    """
    for slug, prefix in DEMO_PLATFORMS.items():
        platform = platforms[slug]
        coordinator = User.objects.get(username=f"{prefix}-coordinator")
        staff = User.objects.get(username=f"{prefix}-org-staff")
        admin = User.objects.get(username=f"{prefix}-org-admin")
        group = WorkingGroup.objects.filter(platform=platform, name="（デモ）ひきこもり支援部会").first()
        if group is None:
            group = actions.create_group(
                platform,
                name="（デモ）ひきこもり支援部会",
                description="ひきこもりの本人・家族への支援について、社協・NPO・市が情報を持ち寄る部会です。",
                members=[coordinator, staff],
                actor=coordinator,
            )
        if Notice.objects.filter(platform=platform, title__startswith="（デモ）").exists():
            continue
        actions.post_notice(
            platform,
            author=coordinator,
            title="（デモ）第3回 全体会議の議題案",
            body=(
                "次回の全体会議の議題案です。ご意見があればコメントでお寄せください。\n\n"
                "1. 今年度の取組報告\n2. 相談窓口一覧の更新\n3. フォーラムの役割分担"
            ),
            pinned=True,
        )
        group_notice = actions.post_notice(
            platform,
            author=staff,
            title="（デモ）部会の次回日程",
            body="次回の部会は来月第2水曜日の午後を予定しています。",
            visibility=Notice.Visibility.GROUP,
            group=group,
        )
        actions.add_comment(group_notice, author=coordinator, body="了解しました。会議室を予約します。")
        actions.post_notice(
            platform,
            author=admin,
            title="（デモ）居場所カフェのボランティア募集",
            body="毎週水曜日の居場所カフェで、受付を手伝ってくださる方を探しています。",
        )
