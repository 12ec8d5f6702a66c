"""URLs of the child database: registry pages (included by children/urls.py)."""

urlpatterns: list = []
