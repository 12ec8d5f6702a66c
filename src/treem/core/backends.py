"""Django's model backend, reading a user's roles and permissions in one query per request.

Every page asks ``has_perm`` many times (menus, scope, sections); Django caches the answers on the
user object (which lives for one request) but reads them with two queries, and pages that name
the user's roles read the groups with a third. Here one ``UNION`` reads the roles with their
permissions and the user's own permissions, and fills Django's caches and the roles together.
"""

from __future__ import annotations

from collections import defaultdict

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


def load_permissions_many(users) -> None:
    """Fill the permission caches of many users at once (two queries in all, not one per user):
    for the recipients of a notification, say, each of whom is asked ``has_perm``."""
    pending = {
        u.pk: u
        for u in users
        if u.pk and u.is_active and not u.is_superuser and not hasattr(u, "_perm_cache")
    }
    if not pending:
        return
    names: dict[int, dict[int, str]] = defaultdict(dict)
    from_roles: dict[int, set[str]] = defaultdict(set)
    from_user: dict[int, set[str]] = defaultdict(set)
    through = Group.user_set.through  # the roles of every pending user in one query
    rows = through.objects.filter(user_id__in=pending).values_list(
        "user_id",
        "group_id",
        "group__name",
        "group__permissions__content_type__app_label",
        "group__permissions__codename",
    )
    for user_id, group_id, name, app_label, codename in rows:
        names[user_id][group_id] = name
        if codename:
            from_roles[user_id].add(f"{app_label}.{codename}")
    own = Permission.user_set.through.objects.filter(user_id__in=pending).values_list(
        "user_id", "permission__content_type__app_label", "permission__codename"
    )
    for user_id, app_label, codename in own:
        from_user[user_id].add(f"{app_label}.{codename}")
    for pk, user in pending.items():
        user._group_perm_cache = from_roles[pk]
        user._user_perm_cache = from_user[pk]
        user._perm_cache = from_roles[pk] | from_user[pk]
        user._role_names = [names[pk][g] for g in sorted(names[pk])]


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
