"""Token authentication for machine clients (django-rest-knox tokens, stored as digests)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from treem.accounts.models import ApiClient

# "Last used" is written at most once a minute per client: a busy client costs no write per call.
_LAST_USED_EVERY = dt.timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <token>``: knox checks the digest and the expiry; the token must
    belong to an API client's account (people use the pages and their session)."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        client = ApiClient.objects.filter(account=user).first()
        if client is None:
            raise exceptions.AuthenticationFailed(_("This token does not belong to an API client."))
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at > _LAST_USED_EVERY:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token (drf-spectacular)."""

    target_class = "treem.accounts.api.auth.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _("An API client's token, sent as “Token <token>”."),
        }
