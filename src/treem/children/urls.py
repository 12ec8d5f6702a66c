from django.urls import include, path

app_name = "children"
# Each area of the child database keeps its own URL module; all names live in the
# "children" namespace.
urlpatterns = [
    path("", include("treem.children.urls_registry")),
    path("import/", include("treem.children.urls_import")),
    path("quality/", include("treem.children.urls_quality")),
    path("statistics/", include("treem.children.urls_statistics")),
]
