"""The public data sets Tsunagari uses, taken at set-up and never kept in its repository.

`datasets.json` (next to this module) pins each one: the repository and commit of its official
source, and the SHA-256 of every file. `obtain()` puts a data set into a folder (the setting
DATASETS_DIR), from a folder that already holds it (`--from`: a copy made elsewhere, or our
machines' shared folder) or by downloading it from the official source, and verifies every file.
Nothing half-written is ever left: files go into a temporary folder next to the target, are
checked, and only then take the target's place.

- kurashi-navi: the open data of くらし支援ナビ (JUNKBRANDING), CC BY 4.0 — the folder `data/` of
  Yut8853/fukushi-portal, and its DATA_LICENSE.md.
- hsds-3.0: Open Referral HSDS 3.0, CC BY-SA 4.0 — the schemas, OpenAPI document, tabular
  descriptor and examples of openreferral/specification.
- geolonia-addresses: Geolonia 住所データ, CC BY 4.0 — towns.csv.gz, one row per 大字・町丁目,
  built from the per-municipality files `api/ja/<都道府県>/<市区町村>.json` of
  geolonia/japanese-addresses (the SHA-256 is that of the uncompressed CSV, so any gzip will do).

Framework-free: the command `get-datasets` (directory/management/commands) is its front end.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DEFAULT_SOURCE",
    "MANIFEST",
    "Dataset",
    "DatasetError",
    "DatasetFile",
    "load_manifest",
    "obtain",
    "problems",
]

MANIFEST = Path(__file__).resolve().with_name("datasets.json")
DEFAULT_SOURCE = "https://raw.githubusercontent.com"
TIMEOUT = 60  # seconds per request
WORKERS = 8  # parallel downloads for data sets made of many small files
GEOLONIA_HEADER = ["都道府県名", "市区町村名", "大字町丁目名", "小字・通称名", "緯度", "経度"]

Report = Callable[[str], None]


class DatasetError(Exception):
    """A data set cannot be obtained or is not what was pinned; the message says what to do, in Japanese."""


@dataclass(frozen=True)
class DatasetFile:
    path: str  # inside the data set's folder
    sha256: str  # of the content; of the uncompressed content when `gzip`
    source: str = ""  # path in the official repository (empty: built, see Dataset.build)
    gzip: bool = False


@dataclass(frozen=True)
class Dataset:
    name: str  # the folder under DATASETS_DIR
    title: str
    licence: str
    repository: str  # owner/name on GitHub
    commit: str
    files: tuple[DatasetFile, ...]
    build: dict[str, str] = field(default_factory=dict)

    def url(self, source_path: str, base: str = DEFAULT_SOURCE) -> str:
        return f"{base.rstrip('/')}/{self.repository}/{self.commit}/{urllib.parse.quote(source_path)}"


def load_manifest(path: Path | None = None) -> dict[str, Dataset]:
    raw = json.loads((path or MANIFEST).read_text(encoding="utf-8"))
    return {
        name: Dataset(
            name=name,
            title=entry["title"],
            licence=entry["licence"],
            repository=entry["repository"],
            commit=entry["commit"],
            files=tuple(DatasetFile(**f) for f in entry["files"]),
            build=entry.get("build", {}),
        )
        for name, entry in raw.items()
    }


def _digest(path: Path, *, gunzip: bool) -> str:
    sha = hashlib.sha256()
    opener = gzip.open if gunzip else open
    with opener(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def problems(dataset: Dataset, folder: Path) -> list[str]:
    """What is missing or different in `folder` (the data set's own folder); empty when all is as pinned."""
    found = []
    for item in dataset.files:
        path = folder / item.path
        if not path.is_file():
            found.append(f"{dataset.name}/{item.path} がありません。")
            continue
        try:
            digest = _digest(path, gunzip=item.gzip)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            found.append(f"{dataset.name}/{item.path} を読めません（{exc}）。")
            continue
        if digest != item.sha256:
            found.append(
                f"{dataset.name}/{item.path} の中身が、決められた版（{dataset.repository} {dataset.commit[:7]}）と"
                f"違います（SHA-256 が {digest[:12]}… で、{item.sha256[:12]}… のはずです）。"
            )
    return found


def obtain(
    dataset: Dataset,
    target_root: Path,
    *,
    source_dir: Path | None = None,
    base_url: str = DEFAULT_SOURCE,
    report: Report = lambda _message: None,
) -> str:
    """Make `target_root/<name>` hold the pinned files; says what was done ("present", "copied", "downloaded").

    With `source_dir`, copy from `source_dir/<name>` (or `source_dir` itself when it is the data
    set's folder); otherwise download from `base_url` (the official source, or a mirror with the
    same paths). DatasetError, and the target untouched, when anything is missing or differs.
    """
    target = target_root / dataset.name
    if target.is_dir() and not problems(dataset, target):
        return "present"
    if source_dir is not None:
        source = source_dir / dataset.name if (source_dir / dataset.name).is_dir() else source_dir
        found = problems(dataset, source)
        if found:
            raise DatasetError(
                f"{source} の{dataset.title}は使えません:\n  " + "\n  ".join(found) + "\n"
                "決められた版のファイルをそろえてから、もう一度実行してください。"
            )
        if source.resolve() == target.resolve():
            return "present"
        with _staging(target) as staging:
            for item in dataset.files:
                destination = staging / item.path
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source / item.path, destination)
            _check_staged(dataset, staging)
            _write_source_note(dataset, staging, f"{source} から写しました")
        return "copied"
    with _staging(target) as staging:
        if dataset.build.get("kind") == "geolonia-towns":
            _build_geolonia_towns(dataset, staging, base_url, report)
        else:
            report(f"  {len(dataset.files):,} ファイル")
            for item in dataset.files:
                _download(dataset.url(item.source, base_url), staging / item.path)
        _check_staged(dataset, staging)
        _write_source_note(dataset, staging, f"{base_url} からダウンロードしました")
    return "downloaded"


def _write_source_note(dataset: Dataset, folder: Path, how: str) -> None:
    (folder / "SOURCE.txt").write_text(
        f"{dataset.title}\n"
        f"ライセンス: {dataset.licence}\n"
        f"出典: https://github.com/{dataset.repository} （コミット {dataset.commit}）\n"
        f"取得: {how}。各ファイルの SHA-256 は Tsunagari の tsunagari/lib/datasets.json と一致しています。\n",
        encoding="utf-8",
    )


@contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """A temporary folder beside `target` that replaces it only if the block finishes."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; these are public data
    except OSError as exc:
        raise DatasetError(
            f"{target.parent} に書き込めません（{exc.strerror}）。"
            "書き込めるフォルダを環境変数 DATASETS_DIR で指定してください。"
        ) from None
    try:
        yield staging
        old = target.with_name(f".{target.name}-old")
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            target.rename(old)
        staging.rename(target)
        if old.exists():
            shutil.rmtree(old)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _check_staged(dataset: Dataset, staging: Path) -> None:
    found = problems(dataset, staging)
    if found:
        raise DatasetError("取得したファイルが決められた版と違うため、使いませんでした:\n  " + "\n  ".join(found))


def _fetch(url: str) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise DatasetError(f"{url} は http(s) の URL ではありません。")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 - scheme checked above
            data: bytes = response.read()
            return data
    except urllib.error.HTTPError as exc:
        raise DatasetError(f"{url} をダウンロードできませんでした（HTTP {exc.code}）。") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DatasetError(
            f"{url} をダウンロードできませんでした（{reason}）。インターネットにつながっているか確かめるか、"
            "データのあるフォルダを --from で指定してください。"
        ) from None


def _download(url: str, destination: Path, sha256: str = "") -> None:
    """Save `url`; with `sha256`, only when it matches (files of a data set are checked together after)."""
    data = _fetch(url)
    digest = hashlib.sha256(data).hexdigest()
    if sha256 and digest != sha256:
        raise DatasetError(
            f"{url} の中身が決められた版と違うため、使いませんでした"
            f"（SHA-256 が {digest[:12]}… で、{sha256[:12]}… のはずです）。"
        )
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(data)


def _build_geolonia_towns(dataset: Dataset, staging: Path, base_url: str, report: Report) -> None:
    """towns.csv.gz from the index api/ja.json and one JSON file per municipality, in the index's order."""
    index_source = dataset.build["index"]
    index_path = staging / "ja.json"
    _download(dataset.url(index_source, base_url), index_path, dataset.build["index_sha256"])
    index: dict[str, list[str]] = json.loads(index_path.read_text(encoding="utf-8"))
    index_path.unlink()
    folder = index_source.removesuffix(".json")
    # The order of the repository's tree (paths sorted by their UTF-8 bytes), as the pinned file has it.
    names = sorted(
        ((prefecture, city) for prefecture, cities in index.items() for city in cities),
        key=lambda pc: f"{pc[0]}/{pc[1]}.json".encode(),
    )
    report(f"  {len(names):,} 市区町村のファイル")

    def fetch(pc: tuple[str, str]) -> list[dict[str, object]]:
        towns: list[dict[str, object]] = json.loads(_fetch(dataset.url(f"{folder}/{pc[0]}/{pc[1]}.json", base_url)))
        return towns

    with ThreadPoolExecutor(WORKERS) as pool:
        towns_by_city = list(pool.map(fetch, names))
    out = io.StringIO()
    writer = csv.writer(out)  # "\r\n" line ends, as in the pinned file
    writer.writerow(GEOLONIA_HEADER)
    for (prefecture, city), towns in zip(names, towns_by_city, strict=True):
        for town in towns:
            writer.writerow([prefecture, city, town["town"], town.get("koaza", ""), town["lat"], town["lng"]])
    (item,) = dataset.files
    with gzip.open(staging / item.path, "wb") as f:
        f.write(out.getvalue().encode("utf-8"))
