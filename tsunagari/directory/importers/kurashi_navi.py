"""くらし支援ナビ: the nationwide open data of public support windows (CC BY 4.0, JUNKBRANDING).

The folder holds offices.csv (one row per window), emergency-contacts.json (the national 24-hour
and emergency lines) and municipalities.csv. offices.csv names its municipality by the site's own
id (`aichi-nagoya`, `jp-07201`); the same ids are the `id` column of municipalities.csv, which gives
the local government code. The areas themselves are the platform's reference data (loaded by
`migrate`), matched on the code's first five digits: 160 codes in that file carry a wrong sixth
(check) digit, e.g. 082120 for 常陸太田市 (082121).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .common import (
    NO_AREAS,
    AreaIndex,
    ImportFailed,
    Invalid,
    ParsedWithNotes,
    clean_date,
    clean_email,
    clean_phone,
    clean_postal_code,
    clean_url,
    hours_to_schedules,
    one_line,
    read_table,
    says_free,
    text,
)
from .records import (
    AreaRecord,
    ChannelRecord,
    CrisisLineRecord,
    LocationRecord,
    OrganizationRecord,
    Problem,
    ProgramLinkRecord,
    ProgramRecord,
    ServiceRecord,
    SourceInfo,
)
from .vocabulary import language_code

__all__ = ["CATEGORY_NEEDS", "CRISIS_LINE_KINDS", "SOURCE", "crisis_kinds", "parse"]

SOURCE = SourceInfo(
    slug="kurashi-navi",
    name="くらし支援ナビ",
    publisher="JUNKBRANDING",
    url="https://fukushi.junkbranding.com/",
    licence="CC BY 4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/deed.ja",
    attribution="くらし支援ナビ（運営: JUNKBRANDING） https://fukushi.junkbranding.com/ （CC BY 4.0）",
    data_changed_note=(
        "つながりで項目の対応付けと営業時間の構造化を行いました"
        "（相談分野を困りごとコードに対応付け、受付時間の文章を曜日と時刻に直し、住所を都道府県・市区町村と町域に分けました）。"
    ),
)

OFFICES = "offices.csv"
EMERGENCY_CONTACTS = "emergency-contacts.json"
PROGRAMS = "programs.csv"
MUNICIPALITY_PROGRAMS = "municipality-programs.csv"
PROGRAM_COLUMNS = ("id", "name", "scope", "status")
MUNICIPALITY_PROGRAM_COLUMNS = ("id", "municipalityId", "programId", "officeId", "status")
PROGRAM_SCOPES = frozenset({"national", "municipality"})
SUPPORT_TYPES = frozenset({"benefit", "loan", "reduction", "consultation", "housing", "other"})

# categoryId of offices.csv (categories.csv) → our need codes (directory/data/needs.tsv).
CATEGORY_NEEDS: dict[str, tuple[str, ...]] = {
    "food": ("food",),
    "housing": ("housing",),
    "rent": ("housing", "money"),
    "utilities": ("money",),
    "money": ("money",),
    "medical": ("health", "money"),
    "work": ("work",),
    "debt": ("debt",),
    "violence": ("violence", "women"),
    "children": ("parenting", "children", "single_parent", "pregnancy"),
    "mental": ("mental_health",),
    "disability": ("disability",),
    "care": ("caregiving", "elderly"),
    "unknown": ("unsure",),
}
# 生活困窮者自立相談支援 windows take money, housing and work worries whatever their category.
CONTACT_TYPE_NEEDS: dict[str, tuple[str, ...]] = {"self-reliance": ("money", "housing", "work")}

# emergency-contacts.json ids → CrisisLine kinds, by what each line is for.
CRISIS_LINE_KINDS: dict[str, tuple[str, ...]] = {
    "police-emergency": ("emergency", "violence"),  # 110: 事件・暴力の危険
    "fire-ambulance-emergency": ("emergency",),  # 119
    "child-abuse": ("child",),  # 189 児童相談所虐待対応ダイヤル
    "dv-consultation": ("violence",),  # #8008 DV相談ナビ
    "dv-consultation-plus": ("violence",),  # DV相談＋, 24 hours
    "mental-health": ("suicide",),  # こころの健康相談統一ダイヤル (まもろうよこころ)
    "yorisoi-hotline": ("suicide", "general", "violence"),  # よりそいホットライン: any worry, 24 hours
    "sexual-violence-one-stop": ("violence",),  # #8891 性犯罪・性暴力 ワンストップ支援センター
    # 188 消費者ホットライン answers contract trouble in office hours: a line, not a crisis line,
    # so no crisis kind (it is still listed among the national lines).
    "consumer-hotline": (),
}
# For lines added to the file later: what their label, number or page says.
_CRISIS_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"よりそい", ("suicide", "general", "violence")),
    (r"いのちの電話", ("suicide", "general")),
    (r"こころの耳|まもろうよこころ|こころ|自殺|消えたい|死にたい", ("suicide",)),
    (r"虐待|189|子ども|こども|チャイルドライン", ("child",)),
    (r"DV|暴力|性犯罪|#8008|#8891", ("violence",)),
    (r"^11[09]$|救急|火事|警察", ("emergency",)),
)

VERIFICATION = {
    "primary_source_import": "公式資料から取り込み",
    "human_verified": "担当者が公式資料と照合",
}
STATUSES = {
    # status → (Service.status, publication, needs_review)
    "published": ("active", "published", False),
    "review_required": ("active", "published", True),  # still shown, with a warning
    "draft": ("active", "draft", False),
    "closed": ("defunct", "published", False),
    "archived": ("defunct", "published", False),
}
REQUIRED_COLUMNS = ("id", "municipalityId", "categoryId", "name", "scope", "prefectureCode", "status")
KNOWN_METHODS = frozenset(
    {"電話", "FAX", "メール", "来所", "面談", "訪問", "SNS", "オンライン", "公式ページ", "公式サイト", "Web予約案内"}
)


def parse(path: Path) -> ParsedWithNotes:
    """Read the くらし支援ナビ folder (or its offices.csv) into service and crisis-line records."""
    folder = path if path.is_dir() else path.parent
    result = ParsedWithNotes(source=SOURCE, services_file=OFFICES, crisis_lines_file=EMERGENCY_CONTACTS)
    try:
        areas, site_ids, file_codes = _areas(folder)
        offices = read_table(folder / OFFICES)
        sources = (
            {row["id"]: row for _n, row in read_table(folder / "sources.csv").dicts()}
            if (folder / "sources.csv").exists()
            else {}
        )
    except ImportFailed as exc:
        result.problems.append(Problem(OFFICES, None, None, str(exc)))
        return result
    missing = [c for c in REQUIRED_COLUMNS if c not in offices.header]
    if missing:
        result.problems.append(
            Problem(
                OFFICES,
                1,
                None,
                f"くらし支援ナビの列 {'、'.join(missing)} がありません。offices.csv の1行目を確認してください。",
            )
        )
        return result
    reader = _OfficeReader(result, areas, site_ids, sources, file_codes)
    for number, row in offices.dicts():
        reader.read(number, row)
    _emergency_contacts(folder, result)
    office_ids = {text(row.get("id")) for _n, row in offices.dicts()}
    _programs(folder, result, reader, office_ids)
    result.counts = {
        "rows": len(offices.rows),
        "crisis_lines": len(result.crisis_lines),
        "programs": len(result.programs),
        "program_links": len(result.program_links),
        **reader.counts,
    }
    return result


def _areas(folder: Path) -> tuple[AreaIndex, dict[str, str], dict[str, str]]:
    """The platform's areas, the site's municipality id → our 6-digit code (matched on 5 digits),
    and our code → the code as the file writes it (the municipality's id in this data set)."""
    areas = AreaIndex.from_db()
    if not areas:
        raise ImportFailed(NO_AREAS)
    site_ids, file_codes = {}, {}
    for _n, row in read_table(folder / "municipalities.csv").dicts():
        try:
            code = areas.municipality_code(row["municipalityCode"][:5])
        except Invalid:
            continue  # not one of ours (merged away): its offices fall back to their prefecture
        site_ids[row["id"]] = code
        file_codes[code] = row["municipalityCode"]
    return areas, site_ids, file_codes


class _OfficeReader:
    """Turns one offices.csv row into a ServiceRecord, or into Problems when it cannot."""

    def __init__(
        self,
        result: ParsedWithNotes,
        areas: AreaIndex,
        site_ids: dict[str, str],
        sources: dict[str, dict[str, str]],
        file_codes: dict[str, str],
    ) -> None:
        self.result = result
        self.areas = areas
        self.site_ids = site_ids
        self.file_codes = file_codes
        self.sources = sources
        self.counts = dict.fromkeys(
            (
                "services",
                "hours_parsed",
                "hours_unparsed",
                "hours_missing",
                "area_municipality",
                "area_prefecture",
                "area_unresolved",
                "needs_review",
                "locations",
            ),
            0,
        )

    def read(self, number: int, row: dict[str, str]) -> None:
        problems: list[Problem] = []

        def check(column: str, clean: Callable[[str], Any], value: str) -> Any:
            if not value.strip():
                return ""
            try:
                return clean(value)
            except Invalid as exc:
                problems.append(Problem(OFFICES, number, column, str(exc)))
                return ""

        source_id = text(row["id"])
        name = one_line(row["name"])
        if not source_id:
            problems.append(Problem(OFFICES, number, "id", "id がありません。"))
        if not name:
            problems.append(Problem(OFFICES, number, "name", "窓口の名前（name）がありません。"))
        category = text(row["categoryId"])
        if category not in CATEGORY_NEEDS:
            problems.append(
                Problem(
                    OFFICES,
                    number,
                    "categoryId",
                    f"分野「{category}」が分かりません（使えるのは {'、'.join(CATEGORY_NEEDS)}）。",
                )
            )
        status = STATUSES.get(text(row["status"]))
        if status is None:
            problems.append(
                Problem(
                    OFFICES,
                    number,
                    "status",
                    f"状態「{row['status']}」が分かりません（published か review_required）。",
                )
            )
        phone = check("phone", clean_phone, row.get("phone", ""))
        fax = check("fax", clean_phone, row.get("fax", ""))
        email = check("email", clean_email, row.get("email", ""))
        form_url = check("contactFormUrl", lambda v: clean_url(v, "相談フォームのURL"), row.get("contactFormUrl", ""))
        official_url = check("officialUrl", lambda v: clean_url(v, "公式ページのURL"), row.get("officialUrl", ""))
        postal_code = check("postalCode", clean_postal_code, row.get("postalCode", ""))
        verified = check("lastVerifiedAt", lambda v: clean_date(v, "最終確認日"), row.get("lastVerifiedAt", "")) or None
        municipality_code, prefecture_code = self._area_codes(number, row, problems)
        if problems:
            self.result.problems.extend(problems)
            self.result.invalid_rows.add((OFFICES, number))
            return
        assert status is not None
        service_status, publication, needs_review = status

        organization = self._organization(municipality_code, prefecture_code)
        hours_text, closed_text = text(row.get("openingHours")), text(row.get("closedDays"))
        parsed, schedules = hours_to_schedules(hours_text, closed_text)
        if parsed is None:
            self.counts["hours_missing"] += 1
        elif parsed.parsed:
            self.counts["hours_parsed"] += 1
        else:
            self.counts["hours_unparsed"] += 1
            self.result.notes.append(
                Problem(
                    OFFICES,
                    number,
                    "openingHours",
                    f"受付時間「{one_line(hours_text)}」を曜日と時刻に直せませんでした。文章のまま載せます。",
                )
            )
        reservation = {"true": True, "false": False}.get(text(row.get("reservationRequired")).lower())
        description = text(row.get("description"))
        attributes = []
        if parsed is not None and parsed.parsed and parsed.open_24h:
            attributes.append("open_24h")
        if reservation is False:
            attributes.append("no_reservation")
        if says_free(name, description):
            attributes.append("free")
        needs = list(
            dict.fromkeys([*CATEGORY_NEEDS[category], *CONTACT_TYPE_NEEDS.get(text(row.get("contactType")), ())])
        )
        locations = []
        if text(row.get("address")):
            split = self.areas.split_address(
                row["address"], prefecture_code=prefecture_code, municipality_code=municipality_code
            )
            locations.append(
                LocationRecord(
                    source_id=source_id,
                    name=name,
                    postal_code=postal_code,
                    region=split.region,
                    city=split.city,
                    address_1=split.rest,
                    municipality_code=split.municipality_code,
                    accessibility=text(row.get("accessibility")),
                )
            )
            self.counts["locations"] += 1
        self.counts["needs_review"] += needs_review
        self.counts["services"] += 1
        self.result.services.append(
            ServiceRecord(
                row=number,
                source_id=source_id,
                organization=organization,
                name=name,
                alternate_name=one_line(row.get("plainName")),
                description=self._description(row, name, description, organization.name),
                url=official_url,
                email=email,
                status=service_status,
                publication=publication,
                needs_review=needs_review,
                eligibility_description=text(row.get("eligibilityConditions")),
                languages=[
                    code for word in re.split(r"[・、,]", row.get("languages", "")) if (code := language_code(word))
                ],
                reservation_required=reservation,
                hours_text=hours_text,
                closed_days_text=closed_text,
                hours_parsed=None if parsed is None else parsed.parsed,
                last_verified_on=verified,
                last_verified_by=self._verified_by(row),
                locations=locations,
                channels=self._channels(
                    number, row, phone=phone, fax=fax, email=email, form_url=form_url, official_url=official_url
                ),
                schedules=schedules,
                areas=self._service_areas(number, row, municipality_code, prefecture_code),
                needs=needs,
                attributes=attributes,
            )
        )

    def _area_codes(self, number: int, row: dict[str, str], problems: list[Problem]) -> tuple[str | None, str | None]:
        """The municipality (through municipalities.csv) and the prefecture a row belongs to."""
        site_id = text(row.get("municipalityId"))
        prefecture = text(row.get("prefectureCode"))
        prefecture_code = prefecture.zfill(2) if prefecture else None
        if prefecture_code and prefecture_code not in self.areas.prefectures:
            problems.append(Problem(OFFICES, number, "prefectureCode", f"都道府県コード「{prefecture}」がありません。"))
            return None, None
        if site_id:
            code = self.site_ids.get(site_id)
            if code:
                return code, self.areas.municipalities[code].prefecture_code
            return None, prefecture_code or self._prefecture_from_address(row)
        if prefecture_code:
            return None, prefecture_code
        problems.append(
            Problem(
                OFFICES, number, "municipalityId", "municipalityId も prefectureCode もなく、どこの窓口か分かりません。"
            )
        )
        return None, None

    def _prefecture_from_address(self, row: dict[str, str]) -> str | None:
        address = one_line(row.get("address"))
        return next((code for code, name in self.areas.prefectures.items() if address.startswith(name)), None)

    def _service_areas(
        self, number: int, row: dict[str, str], municipality: str | None, prefecture: str | None
    ) -> list[AreaRecord]:
        note = one_line(row.get("serviceArea"))
        if municipality:
            self.counts["area_municipality"] += 1
            return [AreaRecord(kind="municipality", municipality_code=municipality, description=note)]
        if text(row.get("municipalityId")):
            # An id municipalities.csv does not know: fall back to the prefecture, and say so.
            self.counts["area_unresolved"] += 1
            self.result.notes.append(
                Problem(
                    OFFICES,
                    number,
                    "municipalityId",
                    f"市区町村「{row['municipalityId']}」が municipalities.csv にないため、"
                    + ("都道府県全体を対象地域にしました。" if prefecture else "対象地域を決められませんでした。"),
                )
            )
        if prefecture:
            self.counts["area_prefecture"] += 1
            return [AreaRecord(kind="prefecture", prefecture_code=prefecture, description=note)]
        return []

    def _organization(self, municipality: str | None, prefecture: str | None) -> OrganizationRecord:
        """The government responsible for the window: the municipality, or the prefecture."""
        if municipality:
            m = self.areas.municipalities[municipality]
            return OrganizationRecord(
                # The data set's own code for it, even with a wrong check digit: ids stay as they were.
                source_id=f"municipality-{self.file_codes.get(municipality, municipality)}",
                name=m.name,
                alternate_name=f"{self.areas.prefectures[m.prefecture_code]}{m.name}",
                legal_status="地方公共団体",
                municipality_code=municipality,
            )
        assert prefecture is not None
        return OrganizationRecord(
            source_id=f"prefecture-{prefecture}", name=self.areas.prefectures[prefecture], legal_status="地方公共団体"
        )

    @staticmethod
    def _description(row: dict[str, str], name: str, description: str, organization: str) -> str:
        parts = [description]
        department = one_line(row.get("department"))
        if department and department not in name and department != organization:
            parts.append(f"担当: {department}")
        if alternative := text(row.get("emergencyAlternative")):
            parts.append(alternative)
        return "\n".join(p for p in parts if p)

    def _verified_by(self, row: dict[str, str]) -> str:
        how = VERIFICATION.get(text(row.get("verificationLevel")), "")
        source = self.sources.get(text(row.get("sourceId")))
        where = f"{source['publisher']}「{source['title']}」" if source else text(row.get("sourceId"))
        detail = "、".join(p for p in (how, where) if p)
        return (f"くらし支援ナビ（{detail}）" if detail else "くらし支援ナビ")[:200]

    def _channels(
        self, number: int, row: dict[str, str], *, phone: str, fax: str, email: str, form_url: str, official_url: str
    ) -> list[ChannelRecord]:
        methods = {m.strip() for m in re.split(r"[・、,]", row.get("availableMethods", "")) if m.strip()}
        unknown = {m for m in methods if m not in KNOWN_METHODS and "公式" not in m}
        if unknown:
            self.result.notes.append(
                Problem(
                    OFFICES,
                    number,
                    "availableMethods",
                    f"相談方法「{'・'.join(sorted(unknown))}」は連絡手段にしませんでした。",
                )
            )
        channels = []
        if phone:
            label = "代表電話" if text(row.get("contactType")) == "representative" else ""
            channels.append(ChannelRecord("phone", phone, label=label))
        if form_url:
            channels.append(_form_channel(form_url, methods))
        elif "SNS" in methods and official_url:
            channels.append(ChannelRecord("sns", official_url, label="SNS相談（案内は公式ページ）"))
        elif "オンライン" in methods and official_url:
            channels.append(ChannelRecord("web_form", official_url, label="オンライン相談（案内は公式ページ）"))
        if email:
            channels.append(ChannelRecord("email", email))
        if fax:
            channels.append(ChannelRecord("fax", fax))
        if "来所" in methods:
            channels.append(ChannelRecord("visit", label="来所相談"))
        elif "面談" in methods:
            channels.append(ChannelRecord("visit", label="面談（予約）"))
        if "訪問" in methods:
            channels.append(ChannelRecord("outreach", label="訪問相談"))
        return channels


def _form_channel(url: str, methods: set[str]) -> ChannelRecord:
    """A contact-form link, named by what it is: LINE, a chat, an SNS page, a form."""
    host = urlsplit(url).hostname or ""
    if host.endswith(("line.me", "lin.ee")):
        return ChannelRecord("line", url, label="LINE相談")
    if "SNS" in methods and "chat" in host:
        return ChannelRecord("chat", url, label="チャット相談")
    if "SNS" in methods:
        return ChannelRecord("sns", url, label="SNS相談")
    if "オンライン" in methods:
        return ChannelRecord("web_form", url, label="オンライン相談（メール・フォーム）")
    if "Web予約案内" in methods:
        return ChannelRecord("web_form", url, label="Web予約")
    return ChannelRecord("web_form", url, label="相談フォーム")


def _emergency_contacts(folder: Path, result: ParsedWithNotes) -> None:
    path = folder / EMERGENCY_CONTACTS
    if not path.exists():
        # No file is not an empty list: keep the lines we have rather than delete them all.
        result.crisis_lines_file = ""
        result.notes.append(
            Problem(EMERGENCY_CONTACTS, None, None, "ファイルがないため、緊急・24時間の相談先は取り込みませんでした。")
        )
        return
    try:
        entries = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        result.problems.append(Problem(EMERGENCY_CONTACTS, None, None, f"JSON として読めませんでした（{exc}）。"))
        return
    if not isinstance(entries, list):
        result.problems.append(Problem(EMERGENCY_CONTACTS, None, None, "一覧（[...]）の形になっていません。"))
        return
    for position, entry in enumerate(entries):
        # Problems are numbered by entry (1 = the first), as there is no row to point at.
        where = position + 1
        problems = []
        if not isinstance(entry, dict) or not str(entry.get("id", "")).strip():
            problems.append(Problem(EMERGENCY_CONTACTS, where, "id", "id がありません。"))
            entry = entry if isinstance(entry, dict) else {}
        url, verified = "", None
        try:
            url = clean_url(entry["officialUrl"], "公式ページのURL") if entry.get("officialUrl") else ""
        except Invalid as exc:
            problems.append(Problem(EMERGENCY_CONTACTS, where, "officialUrl", str(exc)))
        try:
            verified = clean_date(entry["lastVerifiedAt"], "最終確認日") if entry.get("lastVerifiedAt") else None
        except Invalid as exc:
            problems.append(Problem(EMERGENCY_CONTACTS, where, "lastVerifiedAt", str(exc)))
        if problems:
            result.problems.extend(problems)
            result.invalid_rows.add((EMERGENCY_CONTACTS, where))
            continue
        kinds = crisis_kinds(entry)
        if kinds is None:
            kinds = ()
            result.notes.append(
                Problem(
                    EMERGENCY_CONTACTS,
                    where,
                    "id",
                    f"「{entry.get('label', '')}」がどんな危機の相談先か判断できませんでした。",
                )
            )
        result.crisis_lines.append(
            CrisisLineRecord(
                source_id=str(entry["id"]).strip(),
                label=one_line(entry.get("label", "")),
                number=one_line(entry.get("number", "")),
                phone_href=one_line(entry.get("phoneHref", "")),
                url=url,
                publisher=one_line(entry.get("publisher", "")),
                cost=one_line(entry.get("cost", "")),
                availability=one_line(entry.get("availability", "")),
                kinds=list(kinds),
                is_primary=entry.get("displayMode") == "primary",
                position=position,
                last_verified_on=verified,
            )
        )


def crisis_kinds(entry: dict[str, str]) -> tuple[str, ...] | None:
    """What crises a national line answers: from its id, else from its words; None when unknown."""
    if entry.get("id") in CRISIS_LINE_KINDS:
        return CRISIS_LINE_KINDS[entry["id"]]
    words = " ".join(str(entry.get(key, "")) for key in ("label", "number", "officialUrl", "publisher"))
    for pattern, kinds in _CRISIS_WORDS:
        if re.search(pattern, words) or re.fullmatch(pattern, str(entry.get("number", ""))):
            return kinds
    return None


def _programs(folder: Path, result: ParsedWithNotes, reader: _OfficeReader, office_ids: set[str]) -> None:
    """programs.csv (national and municipal 制度) and municipality-programs.csv (which window of a
    municipality handles a national one, under what local name) into programme and link records."""
    path = folder / PROGRAMS
    if not path.exists():
        # No file is not an empty list: keep the programmes we have.
        result.notes.append(Problem(PROGRAMS, None, None, "ファイルがないため、制度は取り込みませんでした。"))
        return
    table = _read_programme_file(path, PROGRAM_COLUMNS, result)
    if table is None:
        return
    result.programs_file = PROGRAMS
    seen: dict[str, int] = {}
    for number, row in table.dicts():
        program = _program(number, row, reader, office_ids, seen)
        if program is None:
            continue
        result.programs.append(program)
        if office := text(row.get("officeId")):
            result.program_links.append(
                ProgramLinkRecord(
                    file=PROGRAMS,
                    row=number,
                    source_id=f"{program.source_id}@{office}",
                    program_source_id=program.source_id,
                    service_source_id=office,
                    last_verified_on=program.last_verified_on,
                )
            )
    _municipality_programs(folder, result, reader, office_ids, set(seen))


def _program(
    number: int, row: dict[str, str], reader: _OfficeReader, office_ids: set[str], seen: dict[str, int]
) -> ProgramRecord | None:
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(PROGRAMS, number, column, message))

    source_id, name = text(row.get("id")), one_line(row.get("name"))
    if not source_id:
        problem("id", "制度の id がありません。")
    elif source_id in seen:
        problem("id", f"制度の id「{source_id}」が{seen[source_id]}行目と重複しています。id は行ごとに変えてください。")
    else:
        seen[source_id] = number
    if not name:
        problem("name", "制度の名前（name）がありません。")
    scope = text(row.get("scope"))
    if scope not in PROGRAM_SCOPES:
        problem("scope", f"範囲「{scope}」が分かりません（national か municipality）。")
    support_type = text(row.get("supportType")) or "other"
    if support_type not in SUPPORT_TYPES:
        problem(
            "supportType",
            f"支援の種類「{support_type}」が分かりません（使えるのは {'、'.join(sorted(SUPPORT_TYPES))}）。",
        )
    repayment_text = text(row.get("repaymentRequired")).lower()
    repayment = {"true": True, "false": False, "": None}.get(repayment_text, False)
    if repayment_text not in ("true", "false", ""):
        problem("repaymentRequired", f"返済の要否「{row.get('repaymentRequired')}」は true か false で書いてください。")
    status = STATUSES.get(text(row.get("status")))
    if status is None:
        problem("status", f"状態「{row.get('status')}」が分かりません（published か review_required）。")
    verified = None
    if text(row.get("lastVerifiedAt")):
        try:
            verified = clean_date(row["lastVerifiedAt"], "最終確認日")
        except Invalid as exc:
            problem("lastVerifiedAt", str(exc))
    municipality = None
    if site_id := text(row.get("municipalityId")):
        municipality = reader.site_ids.get(site_id)
        if municipality is None:
            problem("municipalityId", f"市区町村「{site_id}」が municipalities.csv にありません。")
    elif scope == "municipality":
        problem("municipalityId", "市区町村の制度（scope が municipality）には municipalityId を書いてください。")
    office = text(row.get("officeId"))
    if office and office not in office_ids:
        problem("officeId", f"窓口「{office}」が {OFFICES} にありません。窓口の id を確かめてください。")
    if problems:
        reader.result.problems.extend(problems)
        reader.result.invalid_rows.add((PROGRAMS, number))
        return None
    assert status is not None
    program_status, publication, needs_review = status
    source = reader.sources.get(text(row.get("sourceId")))
    if text(row.get("sourceId")) and source is None:
        reader.result.notes.append(
            Problem(
                PROGRAMS,
                number,
                "sourceId",
                f"出典「{row['sourceId']}」が sources.csv にないため、出典なしで載せます。",
            )
        )
    source_url = ""
    if source and text(source.get("url")):
        try:
            source_url = clean_url(source["url"], "出典のURL")
        except Invalid:
            reader.result.notes.append(
                Problem(
                    PROGRAMS, number, "sourceId", f"出典「{row['sourceId']}」のURLが正しくないため、URLなしで載せます。"
                )
            )
    publisher = one_line(source.get("publisher")) if source else ""
    organization = None
    if municipality:
        organization = reader._organization(municipality, None)
    elif publisher:
        # A national programme belongs to the body that publishes its official page (a ministry).
        organization = OrganizationRecord(source_id=f"publisher-{publisher}", name=publisher)
    return ProgramRecord(
        row=number,
        source_id=source_id,
        name=name,
        organization=organization,
        municipality_code=municipality,
        scope=scope,
        alternate_name=one_line(row.get("plainName")),
        description=text(row.get("description")),
        target_people=text(row.get("targetPeople")),
        # The first need of the category, as for windows: 家賃 (rent) is looked for under housing.
        need=CATEGORY_NEEDS.get(text(row.get("categoryId")), ("",))[0],
        support_type=support_type,
        repayment_required=repayment,
        amount_description=text(row.get("amountDescription")),
        application_deadline=text(row.get("applicationDeadline")),
        required_documents=text(row.get("requiredDocuments")),
        documents_optional_note=text(row.get("documentsOptionalNote")),
        application_process=text(row.get("applicationFlow")),
        status=program_status,
        publication=publication,
        needs_review=needs_review,
        source_title=one_line(source.get("title")) if source else "",
        source_publisher=publisher,
        source_url=source_url,
        last_verified_on=verified,
    )


def _read_programme_file(path: Path, columns: Sequence[str], result: ParsedWithNotes) -> Any:
    """The table of programs.csv or municipality-programs.csv, or None with the problem noted."""
    try:
        table = read_table(path)
    except ImportFailed as exc:
        result.problems.append(Problem(path.name, None, None, str(exc)))
        return None
    missing = [c for c in columns if c not in table.header]
    if missing:
        message = f"制度の列 {'、'.join(missing)} がありません。{path.name} の1行目を確認してください。"
        result.problems.append(Problem(path.name, 1, None, message))
        return None
    return table


def _municipality_programs(
    folder: Path, result: ParsedWithNotes, reader: _OfficeReader, office_ids: set[str], program_ids: set[str]
) -> None:
    path = folder / MUNICIPALITY_PROGRAMS
    if not path.exists():
        return
    table = _read_programme_file(path, MUNICIPALITY_PROGRAM_COLUMNS, result)
    if table is None:
        return
    seen: set[str] = set()
    for number, row in table.dicts():
        problems = []
        source_id, program, office = text(row.get("id")), text(row.get("programId")), text(row.get("officeId"))
        if not source_id or source_id in seen:
            problems.append(("id", f"id「{source_id}」がないか、ほかの行と重複しています。"))
        seen.add(source_id)
        if program not in program_ids:
            problems.append(
                ("programId", f"制度「{program}」が {PROGRAMS} にありません。制度の id を確かめてください。")
            )
        if office not in office_ids:
            problems.append(("officeId", f"窓口「{office}」が {OFFICES} にありません。窓口の id を確かめてください。"))
        status = STATUSES.get(text(row.get("status")))
        if status is None:
            problems.append(("status", f"状態「{row.get('status')}」が分かりません（published か review_required）。"))
        verified = None
        if text(row.get("lastVerifiedAt")):
            try:
                verified = clean_date(row["lastVerifiedAt"], "最終確認日")
            except Invalid as exc:
                problems.append(("lastVerifiedAt", str(exc)))
        if problems:
            result.problems.extend(Problem(MUNICIPALITY_PROGRAMS, number, c, m) for c, m in problems)
            result.invalid_rows.add((MUNICIPALITY_PROGRAMS, number))
            continue
        assert status is not None
        if status[1] != "published" or status[0] == "defunct":
            continue  # a draft or closed local link is not shown, so not imported
        source = reader.sources.get(text(row.get("sourceId")))
        source_url = ""
        if source and text(source.get("url")):
            try:
                source_url = clean_url(source["url"], "出典のURL")
            except Invalid:
                source_url = ""
        result.program_links.append(
            ProgramLinkRecord(
                file=MUNICIPALITY_PROGRAMS,
                row=number,
                source_id=source_id,
                program_source_id=program,
                service_source_id=office,
                local_name=one_line(row.get("localName")),
                local_description=text(row.get("localDescription")),
                source_title=one_line(source.get("title")) if source else "",
                source_url=source_url,
                last_verified_on=verified,
                is_local_link=True,
            )
        )
