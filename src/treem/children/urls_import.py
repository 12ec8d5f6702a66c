"""URLs of the child database: import pages (included by children/urls.py)."""

urlpatterns: list = []
