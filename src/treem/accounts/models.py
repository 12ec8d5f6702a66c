"""Users, their units (scope), and agencies (cơ quan) with validity and successors."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from treem.core.scope import RestrictedQuerySet
from treem.geo.models import Unit


class UserManager(BaseUserManager.from_queryset(RestrictedQuerySet)):
    """Django's user manager on top of the restricted queryset."""

    use_in_migrations = True

    def _create_user(self, username, email, password, **extra):
        from django.contrib.auth.hashers import make_password

        user = self.model(
            username=self.model.normalize_username(username), email=self.normalize_email(email), **extra
        )
        user.password = make_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, username, email=None, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(username, email, password, **extra)

    def create_superuser(self, username, email=None, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, sees_all_units=True)
        return self._create_user(username, email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{self.model.USERNAME_FIELD: username})


class User(AbstractUser):
    """A person who signs in. Roles are Django groups; scope is the list of assigned units."""

    scope_path_lookup = "unit_assignments__unit__path"

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    sees_all_units = models.BooleanField(
        _("sees all units"),
        default=False,
        help_text=_("Not limited by place (system administrators, the ministry). Permissions still apply."),
    )

    session_salt = models.CharField(
        _("session salt"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Changed by “log out everywhere”: every session signed with the old value ends."),
    )

    objects = UserManager()
    audit_redact_fields = ("session_salt",)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    # A session stays valid while the hash stored in it matches this one. Django derives it from
    # the password hash; the salt is added so that "log out everywhere" can end every session
    # without changing the password. An empty salt gives exactly Django's own hash.
    def get_session_auth_hash(self) -> str:
        return self._session_hash(secret=None)

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)

    def _session_hash(self, *, secret: str | None) -> str:
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(
            key_salt, self.password + self.session_salt, secret=secret, algorithm="sha256"
        ).hexdigest()

    @property
    def units(self) -> list[Unit]:
        return [a.unit for a in self.unit_assignments.select_related("unit")]

    @property
    def role_names(self) -> list[str]:
        return [g.name for g in self.groups.all()]


class UnitAssignment(models.Model):
    """A unit a user works in: they see its records and those of every unit below it."""

    scope_path_lookup = "unit__path"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="unit_assignments"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit assignment")
        verbose_name_plural = _("unit assignments")
        ordering = ["user_id", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="accounts_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"


class AgencyKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry or central body")
    PROVINCIAL_PC = "provincial_pc", _("Provincial People's Committee")
    DEPARTMENT = "department", _("Provincial department")
    POLICE = "police", _("Police")
    PROCURACY = "procuracy", _("Procuracy")
    COURT = "court", _("Court")
    MASS_ORGANISATION = "mass_org", _("Fatherland Front or mass organisation")
    COMMUNE_PC = "commune_pc", _("Commune People's Committee")
    HOTLINE = "hotline", _("Child helpline")
    SERVICE = "service", _("Service provider (health, school, shelter, centre)")
    MEDIA = "media", _("Radio, television, press")
    OTHER = "other", _("Other")


class AgencyQuerySet(RestrictedQuerySet):
    def current(self):
        from django.utils import timezone

        today = timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )


class Agency(models.Model):
    """A body with a role in child protection (cơ quan, đơn vị), valid for a period.

    Agencies merged in 2025 (e.g. the Department of Labour, Invalids and Social Affairs into
    Home Affairs; child affairs to Health) end on a date and name their successors.
    """

    scope_path_lookup = "unit__path"

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("administrative unit"), on_delete=models.PROTECT, related_name="agencies"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("successors"),
        through="AgencySuccession",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["unit_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name", "valid_from"], name="accounts_agency_unique"),
            models.UniqueConstraint(
                fields=["unit", "name"],
                condition=Q(valid_from__isnull=True),
                name="accounts_agency_unique_open_start",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="accounts_agency_valid_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:agency_detail", args=[self.pk])


class AgencySuccession(models.Model):
    """An agency's work passing to another on a date (mergers, transfers of functions)."""

    predecessor = models.ForeignKey(
        Agency, verbose_name=_("former agency"), on_delete=models.CASCADE, related_name="+"
    )
    successor = models.ForeignKey(
        Agency, verbose_name=_("successor agency"), on_delete=models.CASCADE, related_name="+"
    )
    effective = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("agency succession")
        verbose_name_plural = _("agency successions")
        ordering = ["effective", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="accounts_agency_succession_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class ApiClient(models.Model):
    """A machine client of the API (another system, a script): its own account, roles and units,
    and at most one token at a time.

    The token itself is a django-rest-knox ``AuthToken`` of ``account``: stored as a digest only,
    with an expiry; issuing a new one revokes the old one (services.api_token_issue).
    """

    scope_path_lookup = "account__unit_assignments__unit__path"

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="api_client",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_issued_at = models.DateTimeField(_("token issued at"), null=True, blank=True)
    token_expires_at = models.DateTimeField(_("token expires at"), null=True, blank=True)
    token_revoked_at = models.DateTimeField(_("token revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:api_client_detail", args=[self.pk])

    @property
    def has_live_token(self) -> bool:
        from django.utils import timezone

        return bool(
            self.token_issued_at
            and not self.token_revoked_at
            and (self.token_expires_at is None or self.token_expires_at > timezone.now())
        )
