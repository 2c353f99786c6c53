"""What a page of search results says about the pages around it."""

from __future__ import annotations

import math


class Paged:
    """For a result with `total`, `page` and `per_page` (search results of the directory and of know-how)."""

    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1
