from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    name = "treem.children"
    label = "children"
    verbose_name = _("Child database")

    def ready(self) -> None:
        from treem.children.models import Child, Household
        from treem.geo import reorganisation

        # Children and households follow their commune through reorganisations.
        reorganisation.register(Child, "commune")
        reorganisation.register(Household, "commune")
