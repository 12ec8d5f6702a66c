from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Official documents (.docx) built from data: no models; other apps describe their documents."""

    name = "treem.documents"
    label = "documents"
    verbose_name = _("Official documents")
