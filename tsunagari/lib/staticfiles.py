"""Static files as the portal serves them: our own CSS and JavaScript minified, then hashed and compressed.

The sources stay readable, with their comments; what a phone downloads is the minified copy
(rcssmin and rjsmin, the minifiers django-compressor uses). Vendor files (Leaflet…) come minified
already and are left as they are.
"""

from __future__ import annotations

from typing import Any

import rcssmin
import rjsmin
from django.core.files.base import ContentFile
from whitenoise.storage import CompressedManifestStaticFilesStorage

# The static folders of our own apps (tsunagari/static/tsunagari, workspace/static/workspace …).
OWN_PREFIXES = ("tsunagari/", "workspace/", "notices/", "councils/", "membership/", "surveys/")


def minify(name: str, text: str) -> str:
    """The minified text of one of our CSS or JS files (any other file: unchanged)."""
    if name.endswith(".css"):
        return rcssmin.cssmin(text)
    if name.endswith(".js"):
        return rjsmin.jsmin(text)
    return text


class MinifiedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Every copy of our own CSS and JS written to STATIC_ROOT (plain and hashed) is written minified.

    The hash stays that of the source file, so it still changes whenever the source does.
    """

    def _save(self, name: str, content: Any) -> str:
        if name.startswith(OWN_PREFIXES) and name.endswith((".css", ".js")):
            content.seek(0)
            text = content.read()
            if isinstance(text, bytes):
                text = text.decode("utf-8")
            content = ContentFile(minify(name, text).encode("utf-8"))
        return super()._save(name, content)
