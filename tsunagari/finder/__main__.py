"""`python -m tsunagari.finder "テキスト"`: what the finder understood, with its evidence, as JSON.

For staff checking a lexicon change; needs neither Django nor a database.
"""

from __future__ import annotations

import argparse
import json

from .understanding import understand


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tsunagari.finder", description=__doc__.splitlines()[0])
    parser.add_argument("text", nargs="+", help="the resident's words (several arguments are joined by spaces)")
    args = parser.parse_args()
    print(json.dumps(understand(" ".join(args.text)).to_dict(), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
