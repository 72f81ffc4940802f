"""Paging of list pages: one size for the whole product, the query string kept across pages."""

from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset):
    """The requested page of a queryset (a bad or too-large page number gives the nearest page)."""
    page = Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    page.query_string = query.urlencode()
    return page
