"""The API's page-number pagination with bounded parameters: a page or page size past what a
database offset can hold is refused with 422 (issue 15: page values past bigint answered 500)."""
from typing import Optional

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: Optional[int] = Field(None, ge=1, le=MAX_PAGE_SIZE)
