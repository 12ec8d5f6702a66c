"""URLs of the child database: statistics pages (included by children/urls.py)."""

urlpatterns: list = []
