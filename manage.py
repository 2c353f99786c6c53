#!/usr/bin/env python
"""Django's command-line utility; `python -m tsunagari` does the same."""

from tsunagari.__main__ import main

if __name__ == "__main__":
    main()
