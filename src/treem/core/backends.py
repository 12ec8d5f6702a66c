"""Django's model backend, reading a user's roles and permissions in one query per request.

Every page asks ``has_perm`` many times (menus, scope, sections); Django caches the answers on the
user object (which lives for one request) but reads them with two queries, and pages that name
the user's roles read the groups with a third. Here one ``UNION`` reads the roles with their
permissions and the user's own permissions, and fills Django's caches and the roles together.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, IntegerField, Value


def _load(user) -> None:
    roles = (
        Group.objects.filter(user=user)
        .values_list("id", "name", "permissions__content_type__app_label", "permissions__codename")
        .order_by()
    )
    own = (
        Permission.objects.filter(user=user)
        .values_list(
            Value(0, output_field=IntegerField()),
            Value("", output_field=CharField()),
            "content_type__app_label",
            "codename",
        )
        .order_by()
    )
    names: dict[int, str] = {}
    from_roles: set[str] = set()
    from_user: set[str] = set()
    for group_id, name, app_label, codename in roles.union(own, all=True):
        if group_id:
            names[group_id] = name
            if codename:
                from_roles.add(f"{app_label}.{codename}")
        else:
            from_user.add(f"{app_label}.{codename}")
    user._group_perm_cache = from_roles
    user._user_perm_cache = from_user
    user._perm_cache = from_roles | from_user
    user._role_names = [names[pk] for pk in sorted(names)]


class OneQueryModelBackend(ModelBackend):
    """``ModelBackend`` whose permission caches are filled by one query (superusers: Django's way)."""

    def _fill(self, user_obj, obj) -> None:
        if (
            obj is None
            and user_obj.is_active
            and not user_obj.is_anonymous
            and not user_obj.is_superuser
            and not hasattr(user_obj, "_perm_cache")
        ):
            _load(user_obj)

    def get_all_permissions(self, user_obj, obj=None):
        self._fill(user_obj, obj)
        return super().get_all_permissions(user_obj, obj)

    def get_user_permissions(self, user_obj, obj=None):
        self._fill(user_obj, obj)
        return super().get_user_permissions(user_obj, obj)

    def get_group_permissions(self, user_obj, obj=None):
        self._fill(user_obj, obj)
        return super().get_group_permissions(user_obj, obj)


def user_role_names(user) -> list[str]:
    """The names of the user's roles (groups), from the request's permission read when it was made."""
    user.get_all_permissions()
    names = getattr(user, "_role_names", None)
    return list(names) if names is not None else [g.name for g in user.groups.all()]
