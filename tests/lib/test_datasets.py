"""get-datasets: copy or download the pinned public data sets, check every file, never leave half of one.

The download path runs against a local HTTP server serving made-up files in the layout of the
official source (raw.githubusercontent.com/<owner>/<name>/<commit>/<path>): no test needs the internet.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.conftest import DATASETS, shared_data
from tsunagari.lib import datasets
from tsunagari.lib.datasets import DatasetError, load_manifest, obtain, problems

COMMIT = "0123456789abcdef0123456789abcdef01234567"
TOY_FILES = {"data/windows.csv": "id,name\r\nw1,架空町 相談室\r\n", "LICENSE.md": "テスト用のライセンス\n"}
# What the towns data set is built into: written out by hand, so the build is checked, not repeated.
TOWNS_CSV = (
    "都道府県名,市区町村名,大字町丁目名,小字・通称名,緯度,経度\r\n"
    "架空県,架空市,本町一丁目,,35.1,139.2\r\n"
    "架空県,架空市,本町二丁目,北,35.11,139.21\r\n"
    "架空県,架空町,大字上,,35.2,139.3\r\n"
)
TOWN_FILES = {
    "api/ja.json": json.dumps({"架空県": ["架空市", "架空町"]}, ensure_ascii=False),
    "api/ja/架空県/架空町.json": json.dumps([{"town": "大字上", "lat": 35.2, "lng": 139.3}], ensure_ascii=False),
    "api/ja/架空県/架空市.json": json.dumps(
        [
            {"town": "本町一丁目", "koaza": "", "lat": 35.1, "lng": 139.2},
            {"town": "本町二丁目", "koaza": "北", "lat": 35.11, "lng": 139.21},
        ],
        ensure_ascii=False,
    ),
}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Two made-up data sets: files fetched as they are, and one built from many small files."""
    entries = {
        "toy": {
            "title": "テスト用のデータセット",
            "licence": "CC0",
            "repository": "example/toy",
            "commit": COMMIT,
            "files": [
                {"path": "windows.csv", "source": "data/windows.csv", "sha256": sha(TOY_FILES["data/windows.csv"])},
                {"path": "LICENSE.md", "source": "LICENSE.md", "sha256": sha(TOY_FILES["LICENSE.md"])},
            ],
        },
        "towns": {
            "title": "テスト用の町丁目",
            "licence": "CC BY 4.0",
            "repository": "example/towns",
            "commit": COMMIT,
            "files": [{"path": "towns.csv.gz", "gzip": True, "sha256": sha(TOWNS_CSV)}],
            "build": {"kind": "geolonia-towns", "index": "api/ja.json", "index_sha256": sha(TOWN_FILES["api/ja.json"])},
        },
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(datasets, "MANIFEST", path)
    return entries


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server with the made-up sources; (base URL, its folder) so that a test may spoil a file."""
    root = tmp_path / "www"
    for repository, files in (("example/toy", TOY_FILES), ("example/towns", TOWN_FILES)):
        for name, content in files.items():
            path = root / repository / COMMIT / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def leftovers(folder: Path) -> list[str]:
    """Temporary folders a failed or finished run would have left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) if folder.exists() else []


def test_a_download_with_the_pinned_checksums_is_installed(
    manifest: Any, served: tuple[str, Path], tmp_path: Path
) -> None:
    base, _root = served
    target = tmp_path / "datasets"
    toy = load_manifest()["toy"]
    assert obtain(toy, target, base_url=base) == "downloaded"
    assert (target / "toy" / "windows.csv").read_bytes() == TOY_FILES["data/windows.csv"].encode()
    assert problems(toy, target / "toy") == []
    assert "example/toy" in (target / "toy" / "SOURCE.txt").read_text(encoding="utf-8")
    assert leftovers(target) == []
    # Once there, nothing is fetched again: the server could be gone.
    assert obtain(toy, target, base_url="http://127.0.0.1:9") == "present"


def test_a_file_that_differs_from_the_pinned_one_is_refused_and_nothing_is_written(
    manifest: Any, served: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = served
    (root / "example/toy" / COMMIT / "LICENSE.md").write_text("書き換えられたファイル\n", encoding="utf-8")
    target = tmp_path / "datasets"
    with pytest.raises(DatasetError) as refused:
        obtain(load_manifest()["toy"], target, base_url=base)
    message = str(refused.value)
    assert "決められた版と違うため、使いませんでした" in message
    assert "LICENSE.md" in message and "SHA-256" in message
    assert not (target / "toy").exists()  # windows.csv, fetched first and good, was not kept either
    assert leftovers(target) == []


def test_a_failed_download_leaves_the_installed_copy_as_it_was(
    manifest: Any, served: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = served
    target = tmp_path / "datasets"
    toy = load_manifest()["toy"]
    obtain(toy, target, base_url=base)
    (target / "toy" / "windows.csv").write_text("id,name\r\nw1,手で直した行\r\n", encoding="utf-8")
    (root / "example/toy" / COMMIT / "data/windows.csv").unlink()
    with pytest.raises(DatasetError, match=r"ダウンロードできませんでした（HTTP 404）"):
        obtain(toy, target, base_url=base)
    assert "手で直した行" in (target / "toy" / "windows.csv").read_text(encoding="utf-8")
    assert leftovers(target) == []


def test_no_connection_says_to_check_the_network_or_use_from(manifest: Any, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="インターネットにつながっているか") as refused:
        obtain(load_manifest()["toy"], tmp_path / "datasets", base_url="http://127.0.0.1:9")
    assert "--from" in str(refused.value)


def test_the_towns_are_built_from_the_pinned_index_and_its_files(
    manifest: Any, served: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = served
    target = tmp_path / "datasets"
    towns = load_manifest()["towns"]
    assert obtain(towns, target, base_url=base) == "downloaded"
    with gzip.open(target / "towns" / "towns.csv.gz", "rt", encoding="utf-8", newline="") as f:
        assert f.read() == TOWNS_CSV
    # A changed town file changes the built CSV, which its checksum then refuses.
    shutil.rmtree(target / "towns")
    (root / "example/towns" / COMMIT / "api/ja/架空県/架空町.json").write_text(
        json.dumps([{"town": "大字下", "lat": 35.2, "lng": 139.3}], ensure_ascii=False), encoding="utf-8"
    )
    with pytest.raises(DatasetError, match="決められた版と違う"):
        obtain(towns, target, base_url=base)
    assert not (target / "towns").exists()
    # The index decides which files are read: a changed one is refused before any is.
    (root / "example/towns" / COMMIT / "api/ja.json").write_text(json.dumps({"架空県": []}), encoding="utf-8")
    with pytest.raises(DatasetError, match=r"api/ja\.json の中身が決められた版と違う"):
        obtain(towns, target, base_url=base)
    assert leftovers(target) == []


def write_toy(folder: Path) -> Path:
    (folder / "toy").mkdir(parents=True)
    (folder / "toy" / "windows.csv").write_text(TOY_FILES["data/windows.csv"], encoding="utf-8")
    (folder / "toy" / "LICENSE.md").write_text(TOY_FILES["LICENSE.md"], encoding="utf-8")
    return folder


def test_from_a_folder_the_files_are_copied_and_checked(manifest: Any, tmp_path: Path) -> None:
    source = write_toy(tmp_path / "elsewhere")
    target = tmp_path / "datasets"
    toy = load_manifest()["toy"]
    assert obtain(toy, target, source_dir=source) == "copied"
    assert problems(toy, target / "toy") == []
    # A folder that is the data set itself works too.
    shutil.rmtree(target)
    assert obtain(toy, target, source_dir=source / "toy") == "copied"


def test_from_a_folder_with_a_changed_file_nothing_is_copied(manifest: Any, tmp_path: Path) -> None:
    source = write_toy(tmp_path / "elsewhere")
    (source / "toy" / "windows.csv").write_text("id,name\r\n", encoding="utf-8")
    (source / "toy" / "LICENSE.md").unlink()
    target = tmp_path / "datasets"
    with pytest.raises(DatasetError) as refused:
        obtain(load_manifest()["toy"], target, source_dir=source)
    message = str(refused.value)
    assert "toy/windows.csv の中身が、決められた版" in message
    assert "toy/LICENSE.md がありません" in message
    assert not (target / "toy").exists()


def test_the_command_downloads_checks_and_says_what_it_did(
    manifest: Any, served: tuple[str, Path], tmp_path: Path, settings: Any
) -> None:
    base, _root = served
    settings.DATASETS_DIR = tmp_path / "datasets"
    out = StringIO()
    call_command("get_datasets", "toy", "towns", base_url=base, stdout=out)
    assert "toy: ダウンロードして確かめました" in out.getvalue()
    assert "towns: ダウンロードして確かめました" in out.getvalue()
    out = StringIO()
    call_command("get_datasets", check=True, stdout=out)
    assert "toy: 決められた版がそろっています" in out.getvalue()
    (settings.DATASETS_DIR / "toy" / "windows.csv").write_text("x", encoding="utf-8")
    with pytest.raises(CommandError, match="toy を用意できませんでした"):
        call_command("get_datasets", "toy", check=True, stdout=StringIO())
    with pytest.raises(CommandError, match="データセット「nothing」はありません"):
        call_command("get_datasets", "nothing", stdout=StringIO())


# --- the real manifest ---------------------------------------------------------------------------


def test_the_pinned_checksums_are_those_of_the_shared_data_sets() -> None:
    for name, dataset in load_manifest().items():
        assert problems(dataset, shared_data(DATASETS / name)) == [], name


def test_the_repository_carries_none_of_the_data_sets() -> None:
    """No tracked file has the content of a pinned one (git ls-files), and no data set folder is tracked."""
    repo = Path(settings.BASE_DIR)
    listed = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], capture_output=True, check=False, text=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout (the check runs in every clone)")
    pinned = {item.sha256 for dataset in load_manifest().values() for item in dataset.files}
    tracked = [name.decode() for name in listed.stdout.split(b"\0") if name]
    carried = [
        name
        for name in tracked
        if (repo / name).is_file() and hashlib.sha256((repo / name).read_bytes()).hexdigest() in pinned
    ]
    assert carried == []
    assert not [name for name in tracked if name.startswith(("data/kurashi-navi/", "data/hsds"))]
    assert "tsunagari/api/openapi.json" not in tracked
