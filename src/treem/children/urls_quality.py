"""URLs of the child database: quality pages (included by children/urls.py)."""

urlpatterns: list = []
