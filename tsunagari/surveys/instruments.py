"""Standard instruments a coordinator can insert into a questionnaire, worded as their sources word them.

Comparisons with the national survey (内閣官房「人々のつながりに関する基礎調査」) hold only if the
question and the options are the same, so the wording here is not to be "improved". Where we could
not check the official wording against the source document, the instrument says so (`checked` is
False) and docs/surveys.md lists what to verify; the coordinator sees that note before inserting it.

Codes are the option numbers of the source questionnaires, so that scores (UCLA 3–12) and the
hikikomori classification can be computed from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Option = tuple[str, str, str]  # code, Japanese label, English label


@dataclass(frozen=True)
class Item:
    name: str
    kind: str  # Question.Kind value
    label_ja: str
    label_en: str
    choice_list: str = ""
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message_ja: str = ""
    hint_ja: str = ""
    hint_en: str = ""
    choice_filter: str = ""
    # 0: on the page after the questions already there; XLSForm imports number their pages.
    page: int = 0


@dataclass(frozen=True)
class Instrument:
    key: str
    title: str | Promise
    source: str
    items: tuple[Item, ...]
    lists: dict[str, tuple[Option, ...]] = field(default_factory=dict)
    # Other columns of an XLSForm choices sheet: {(list name, code): {column: value}}.
    columns: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    checked: bool = True
    note: str | Promise = ""


FREQUENCY: tuple[Option, ...] = (
    ("1", "毎日", "every day"),
    ("2", "週に4～5回程度", "4–5 times a week"),
    ("3", "週に2～3回程度", "2–3 times a week"),
    ("4", "週に1回程度", "about once a week"),
    ("5", "2週間に1回程度", "about once in two weeks"),
    ("6", "月1回程度", "about once a month"),
    ("7", "月1回未満", "less than once a month"),
    ("8", "全くない", "never"),
)

INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument(
        key="direct",
        title=_("Loneliness, asked directly (national survey, 5 options)"),
        source="内閣官房 孤独・孤立対策推進室「人々のつながりに関する基礎調査」問1",
        lists={
            "direct_loneliness": (
                ("1", "決してない", "never"),
                ("2", "ほとんどない", "hardly ever"),
                ("3", "たまにある", "occasionally"),
                ("4", "時々ある", "some of the time"),
                ("5", "しばしばある・常にある", "often or always"),
            )
        },
        items=(
            Item(
                "loneliness_direct",
                "single",
                "あなたはどの程度、孤独であると感じることがありますか。",
                "How often do you feel lonely?",
                "direct_loneliness",
                required=True,
            ),
        ),
    ),
    Instrument(
        key="ucla3",
        title=_("UCLA Loneliness Scale, Japanese 3-item version (score 3–12)"),
        source="UCLA孤独感尺度（3項目短縮版）日本語版。「人々のつながりに関する基礎調査」で使用",
        lists={
            "ucla3": (
                ("1", "決してない", "never"),
                ("2", "ほとんどない", "hardly ever"),
                ("3", "時々ある", "some of the time"),
                ("4", "常にある", "often"),
            )
        },
        items=(
            Item(
                "ucla_companionship",
                "single",
                "あなたは、自分には人とのつきあいがないと感じることがありますか。",
                "How often do you feel that you lack companionship?",
                "ucla3",
                required=True,
            ),
            Item(
                "ucla_left_out",
                "single",
                "あなたは、自分は取り残されていると感じることがありますか。",
                "How often do you feel left out?",
                "ucla3",
                required=True,
            ),
            Item(
                "ucla_isolated",
                "single",
                "あなたは、自分がほかの人たちから孤立していると感じることがありますか。",
                "How often do you feel isolated from others?",
                "ucla3",
                required=True,
            ),
        ),
        note=_(
            "The score is the sum of the three answers (3–12). The report shows it in the national survey's "
            "bands: 10–12 (often or always lonely), 7–9, 4–6 and 3 (never)."
        ),
    ),
    Instrument(
        key="isolation",
        title=_("Isolation: contact with others, social participation, help received"),
        source="「人々のつながりに関する基礎調査」の社会的孤立に関する設問に準拠",
        checked=False,
        note=_("Check the wording against the national survey's questionnaire of the year you compare with."),
        lists={
            "contact_frequency": FREQUENCY,
            "participation": (
                ("1", "スポーツ・趣味・娯楽・教養・自己啓発などの活動", "sport, hobbies, culture or learning"),
                ("2", "町内会・自治会などの地域活動", "neighbourhood association activities"),
                ("3", "ボランティア活動", "volunteering"),
                ("4", "その他の活動", "other activities"),
                ("5", "特に参加していない", "none"),
            ),
            "yes_no": (("1", "ある", "yes"), ("2", "ない", "no")),
        },
        items=(
            Item(
                "contact_in_person",
                "single",
                "あなたは、同居していない家族や友人たちと直接会って話すことがどのくらいありますか。",
                "How often do you meet and talk in person with family or friends you do not live with?",
                "contact_frequency",
            ),
            Item(
                "contact_phone",
                "single",
                "あなたは、同居していない家族や友人たちと電話（ビデオ通話を含む）で話すことがどのくらいありますか。",
                "How often do you talk by phone (including video calls) with family or friends you do not live with?",
                "contact_frequency",
            ),
            Item(
                "contact_online",
                "single",
                "あなたは、同居していない家族や友人たちとSNS・電子メール等でやりとりすることがどのくらいありますか。",
                "How often do you exchange messages (social media, e-mail) with family or friends you do not live with?",
                "contact_frequency",
            ),
            Item(
                "participation",
                "multiple",
                "あなたは現在、次のような活動に参加していますか。（あてはまるものすべて）",
                "Do you currently take part in any of these activities? (all that apply)",
                "participation",
                constraint="not(selected(., '5') and (selected(., '1') or selected(., '2') or selected(., '3') or selected(., '4')))",
                constraint_message_ja="「特に参加していない」は他の選択肢と一緒に選べません。",
            ),
            Item(
                "help_received",
                "single",
                "あなたは現在、行政機関・NPO等から困りごとに対する支援を受けていますか。",
                "Do you currently receive support for your difficulties from public bodies, NPOs or others?",
                "yes_no",
            ),
            Item(
                "someone_to_consult",
                "single",
                "あなたには、不安や悩みを相談できる人がいますか。",
                "Is there someone you can talk to about your worries?",
                "yes_no",
            ),
        ),
    ),
    Instrument(
        key="demographics",
        title=_("Demographics: age band, sex, area, household"),
        source="市区町村の実態調査で一般的な属性項目（地区の選択肢は自治体ごとに編集）",
        note=_("Edit the options of the area question to your own districts before opening the survey."),
        lists={
            "age_band": (
                ("1", "16～19歳", "16–19"),
                ("2", "20～29歳", "20–29"),
                ("3", "30～39歳", "30–39"),
                ("4", "40～49歳", "40–49"),
                ("5", "50～59歳", "50–59"),
                ("6", "60～69歳", "60–69"),
                ("7", "70～79歳", "70–79"),
                ("8", "80歳以上", "80 or over"),
            ),
            "sex": (
                ("1", "男性", "male"),
                ("2", "女性", "female"),
                ("3", "その他・回答しない", "other or prefer not to say"),
            ),
            "area": (("1", "地区1", "area 1"), ("2", "地区2", "area 2"), ("3", "地区3", "area 3")),
            "household": (
                ("1", "単身世帯（一人暮らし）", "living alone"),
                ("2", "夫婦のみの世帯", "couple only"),
                ("3", "二世代世帯（親と子）", "two generations"),
                ("4", "三世代世帯（親と子と孫）", "three generations"),
                ("5", "その他の世帯", "other"),
            ),
        },
        items=(
            Item("age_band", "single", "あなたの年齢を教えてください。", "Your age", "age_band", required=True),
            Item("sex", "single", "あなたの性別を教えてください。", "Your sex", "sex"),
            Item("area", "single", "お住まいの地区を教えてください。", "The area you live in", "area"),
            Item("household", "single", "あなたの世帯構成を教えてください。", "Your household", "household"),
        ),
    ),
    Instrument(
        key="hikikomori",
        title=_("Hikikomori, the Cabinet Office's definition (broad / narrow)"),
        source="内閣府「こども・若者の意識と生活に関する調査」（令和4年度）・「生活状況に関する調査」の外出頻度設問",
        checked=False,
        note=_(
            "Broad hikikomori (広義): options 5–8 of the outing question for six months or more, unless caused "
            "by illness, pregnancy, childcare or housework, or work at home. Narrow (狭義): options 5, 7 and 8; "
            "option 6 alone is 準ひきこもり (see docs/surveys.md). Check the exclusion options against the Cabinet Office questionnaire."
        ),
        lists={
            "outing": (
                ("1", "仕事や学校で平日は毎日外出する", "out every weekday for work or school"),
                ("2", "仕事や学校で週に3～4日外出する", "out 3–4 days a week for work or school"),
                ("3", "遊び等で頻繁に外出する", "often out for leisure"),
                ("4", "人づきあいのためにときどき外出する", "sometimes out to see people"),
                (
                    "5",
                    "ふだんは家にいるが、近所のコンビニなどには出かける",
                    "home, but goes to a nearby convenience store",
                ),
                ("6", "ふだんは家にいるが、自分の趣味に関する用事のときだけ外出する", "home, out only for hobbies"),
                ("7", "自室からは出るが、家からは出ない", "leaves the room but not the home"),
                ("8", "自室からほとんど出ない", "hardly leaves the room"),
            ),
            "outing_duration": (
                ("1", "6か月未満", "less than 6 months"),
                ("2", "6か月～1年未満", "6 months to 1 year"),
                ("3", "1年～3年未満", "1 to 3 years"),
                ("4", "3年～5年未満", "3 to 5 years"),
                ("5", "5年～7年未満", "5 to 7 years"),
                ("6", "7年以上", "7 years or more"),
            ),
            "outing_reason": (
                ("1", "病気（統合失調症又は身体的な病気）", "illness"),
                ("2", "妊娠・出産", "pregnancy or birth"),
                ("3", "家事・育児・介護", "housework, childcare or care"),
                ("4", "自宅で仕事をしている", "works at home"),
                ("5", "その他", "other"),
            ),
        },
        items=(
            Item(
                "outing",
                "single",
                "あなたは、ふだんどのくらい外出しますか。",
                "How often do you usually go out?",
                "outing",
                required=True,
            ),
            Item(
                "outing_duration",
                "single",
                "現在の状態になってから、どのくらい経ちますか。",
                "How long have you been in this situation?",
                "outing_duration",
                relevant="${outing} = '5' or ${outing} = '6' or ${outing} = '7' or ${outing} = '8'",
            ),
            Item(
                "outing_reason",
                "multiple",
                "現在の状態になったきっかけは何ですか。（あてはまるものすべて）",
                "What led to this situation? (all that apply)",
                "outing_reason",
                relevant="${outing} = '5' or ${outing} = '6' or ${outing} = '7' or ${outing} = '8'",
            ),
        ),
    ),
    Instrument(
        key="minsei",
        title=_("Welfare commissioners' (民生委員) hikikomori survey form"),
        source="都道府県・市町村が民生委員・児童委員に依頼する「ひきこもり等に関する実態調査」の一般的な調査票",
        checked=False,
        note=_(
            "There is no single national form: this follows the usual prefectural forms. One response is one "
            "person the commissioner knows of; never enter names or addresses."
        ),
        lists={
            "person_age": (
                ("1", "10代", "teens"),
                ("2", "20代", "20s"),
                ("3", "30代", "30s"),
                ("4", "40代", "40s"),
                ("5", "50代", "50s"),
                ("6", "60代", "60s"),
                ("7", "70代以上", "70 or over"),
                ("9", "不明", "unknown"),
            ),
            "person_sex": (("1", "男性", "male"), ("2", "女性", "female"), ("9", "不明", "unknown")),
            "period": (
                ("1", "6か月～1年未満", "6 months to 1 year"),
                ("2", "1年～3年未満", "1 to 3 years"),
                ("3", "3年～5年未満", "3 to 5 years"),
                ("4", "5年～10年未満", "5 to 10 years"),
                ("5", "10年以上", "10 years or more"),
                ("9", "不明", "unknown"),
            ),
            "living_with": (
                ("1", "親", "parents"),
                ("2", "配偶者", "spouse"),
                ("3", "きょうだい", "siblings"),
                ("4", "子", "children"),
                ("5", "その他の親族", "other relatives"),
                ("6", "単身", "alone"),
                ("9", "不明", "unknown"),
            ),
            "how_known": (
                ("1", "家族・親族からの相談", "family asked for advice"),
                ("2", "近隣住民からの情報", "neighbours"),
                ("3", "民生委員の訪問・見守り活動", "the commissioner's own visits"),
                ("4", "関係機関からの情報", "another agency"),
                ("5", "その他", "other"),
            ),
            "support": (
                ("1", "支援機関につながっている", "in contact with a support agency"),
                ("2", "つながっていない", "not in contact"),
                ("9", "不明", "unknown"),
            ),
        },
        items=(
            Item("person_age", "single", "対象者の年代", "Age of the person", "person_age", required=True),
            Item("person_sex", "single", "対象者の性別", "Sex of the person", "person_sex", required=True),
            Item("period", "single", "ひきこもりの状態にある期間", "How long the situation has lasted", "period"),
            Item(
                "living_with",
                "multiple",
                "同居している人（あてはまるものすべて）",
                "Who lives with the person",
                "living_with",
            ),
            Item("how_known", "single", "把握したきっかけ", "How the commissioner came to know", "how_known"),
            Item("support", "single", "支援機関とのつながり", "Contact with support agencies", "support"),
            Item(
                "situation_note",
                "text",
                "本人や家族の状況（氏名・住所など個人が特定される内容は書かないでください）",
                "The situation (do not write names, addresses or anything that identifies the person)",
                hint_ja="自由記述は集計にも公表にも使われません。",
            ),
        ),
    ),
    Instrument(
        key="young_carer",
        title=_("Young carers (pupils)"),
        source="厚生労働省「ヤングケアラーの実態に関する調査研究」（令和2・3年度）の中高生調査に準拠",
        checked=False,
        note=_("Check the wording against the questionnaire of the national study before use with pupils."),
        lists={
            "carer": (("1", "いる", "yes"), ("2", "いない", "no")),
            "cared_for": (
                ("1", "父母", "parents"),
                ("2", "祖父母", "grandparents"),
                ("3", "きょうだい", "siblings"),
                ("4", "その他", "other"),
            ),
            "care_kind": (
                ("1", "家事（食事の準備や掃除、洗濯）", "housework"),
                ("2", "きょうだいのお世話や送り迎えなど", "looking after siblings"),
                ("3", "身体的な介護（入浴やトイレのお世話など）", "personal care"),
                ("4", "外出の付き添い（買い物、散歩など）", "going out with them"),
                ("5", "通院の付き添い", "hospital visits"),
                ("6", "感情面のサポート（愚痴を聞く、話し相手になるなど）", "emotional support"),
                ("7", "見守り", "watching over them"),
                ("8", "通訳（日本語や手話など）", "interpreting"),
                ("9", "金銭管理", "managing money"),
                ("10", "薬の管理", "managing medicines"),
                ("11", "その他", "other"),
            ),
            "care_frequency": (
                ("1", "ほぼ毎日", "almost every day"),
                ("2", "週に3～5日", "3–5 days a week"),
                ("3", "週に1～2日", "1–2 days a week"),
                ("4", "1か月に数日", "a few days a month"),
                ("5", "その他", "other"),
            ),
            "care_hours": (
                ("1", "1時間未満", "under 1 hour"),
                ("2", "1時間以上3時間未満", "1–3 hours"),
                ("3", "3時間以上7時間未満", "3–7 hours"),
                ("4", "7時間以上", "7 hours or more"),
            ),
        },
        items=(
            Item(
                "carer",
                "single",
                "家族の中にあなたがお世話をしている人はいますか。",
                "Is there someone in your family you look after?",
                "carer",
                required=True,
            ),
            Item(
                "cared_for",
                "multiple",
                "お世話を必要としている人は誰ですか。（あてはまるものすべて）",
                "Who needs your care? (all that apply)",
                "cared_for",
                relevant="${carer} = '1'",
            ),
            Item(
                "care_kind",
                "multiple",
                "どのようなお世話をしていますか。（あてはまるものすべて）",
                "What kind of care do you give? (all that apply)",
                "care_kind",
                relevant="${carer} = '1'",
            ),
            Item(
                "care_frequency",
                "single",
                "お世話をしている頻度を教えてください。",
                "How often do you give care?",
                "care_frequency",
                relevant="${carer} = '1'",
            ),
            Item(
                "care_hours",
                "single",
                "平日1日あたり、お世話に費やす時間はどのくらいですか。",
                "How much time a school day do you spend on care?",
                "care_hours",
                relevant="${carer} = '1'",
            ),
        ),
    ),
)

BY_KEY = {instrument.key: instrument for instrument in INSTRUMENTS}

# UCLA 3-item score bands, as the national survey reports them (docs/surveys.md).
UCLA_ITEMS = ("ucla_companionship", "ucla_left_out", "ucla_isolated")
UCLA_BANDS: tuple[tuple[int, int, str], ...] = (
    (10, 12, "10～12点（常にある）"),
    (7, 9, "7～9点（時々ある）"),
    (4, 6, "4～6点（ほとんどない）"),
    (3, 3, "3点（決してない）"),
)
# The Cabinet Office's classification from the outing question (codes of "outing").
HIKIKOMORI_BROAD = ("5", "6", "7", "8")
HIKIKOMORI_NARROW = ("5", "7", "8")
HIKIKOMORI_EXCLUDED_REASONS = ("1", "2", "3", "4")


def ucla_score(answers: dict[str, object]) -> int | None:
    """The UCLA 3-item score (3–12), or None when an item is unanswered."""
    try:
        return sum(int(str(answers[name])) for name in UCLA_ITEMS)
    except (KeyError, ValueError):
        return None


def ucla_band(score: int) -> str:
    return next(label for low, high, label in UCLA_BANDS if low <= score <= high)


def hikikomori_class(answers: dict[str, object]) -> str | None:
    """ "narrow", "broad_only" (広義 but not 狭義), "none", or None when it cannot be decided (判定不能).

    Undecided: the outing question unanswered, or an answer of 5–8 without how long it has lasted
    (the six months the definition rests on). Such a respondent is a missing answer, left out of the
    shares' domain as every other missing answer is, never counted as "not hikikomori".
    """
    outing = answers.get("outing")
    if outing in (None, ""):
        return None
    if outing not in HIKIKOMORI_BROAD:
        return "none"
    duration = answers.get("outing_duration")
    if duration in (None, ""):
        return None
    if duration == "1":
        return "none"
    reasons = answers.get("outing_reason") or []
    if isinstance(reasons, list) and any(r in HIKIKOMORI_EXCLUDED_REASONS for r in reasons):
        return "none"
    return "narrow" if outing in HIKIKOMORI_NARROW else "broad_only"
