"""collectstatic writes our own CSS and JS minified (the copies a phone downloads), vendor files as they come."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings

from tsunagari.lib.staticfiles import minify


def test_collectstatic_minifies_our_files_and_keeps_them_working(tmp_path: Path) -> None:
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "tsunagari.lib.staticfiles.MinifiedStaticFilesStorage"}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--no-input", "-v0")
    source = Path(finders.find("tsunagari/portal.js"))
    served = next(tmp_path.glob("tsunagari/portal.*.js"))
    assert served.stat().st_size < 0.8 * source.stat().st_size
    text = served.read_text()
    assert "//" not in text.replace("https://", "").replace("http://", "")  # comments gone
    assert "data-quick-exit" in text and "location.replace" in text  # the code is still there
    css = next(tmp_path.glob("tsunagari/site.*.css")).read_text()
    assert "/*" not in css and ".quick-exit{" in css
    assert (tmp_path / "tsunagari" / f"{served.name}.gz").exists()  # still compressed after minifying
    # Vendor files are left as they come (the hashed copy differs only in its source map's name).
    leaflet = Path(finders.find("vendor/leaflet/leaflet.js"))
    assert (tmp_path / "vendor" / "leaflet" / "leaflet.js").read_bytes() == leaflet.read_bytes()


def test_minify_leaves_other_files_alone() -> None:
    assert minify("tsunagari/a.css", "a { color : red ; } /* x */") == "a{color:red}"
    assert minify("tsunagari/a.txt", "a  b") == "a  b"
