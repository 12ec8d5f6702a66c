"""Encryption at rest of narrative fields (what happened, abuser details, medical findings, notes).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the ``cryptography`` package)
in the application before they reach the database, so a database dump or backup holds only
tokens. Keys come from the environment: ``TREEM_FIELD_KEYS`` is a comma-separated list of Fernet
keys; the first encrypts, every key decrypts (``MultiFernet``). To rotate: put a new key first,
restart, run ``treem rotate_field_keys`` (re-encrypts every encrypted value with the first key),
then drop the old key.

Why not a library: the maintained packages derive their keys from ``SECRET_KEY`` and a salt
(django-fernet-encrypted-fields) or predate Django 5 (django-fernet-fields); treem wants keys of
their own, rotated independently of the session secret, and a command that re-encrypts.

An encrypted column cannot be searched or sorted (every token is different, even for the same
text): only ``isnull`` lookups are allowed, anything else raises instead of silently matching
nothing.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

PREFIX = "fernet:"


class FieldKeyError(ImproperlyConfigured):
    """The configured keys cannot encrypt or decrypt (none set, malformed, or the key is gone)."""


def configured_keys() -> tuple[str, ...]:
    keys = getattr(settings, "TREEM_FIELD_KEYS", None) or ()
    if isinstance(keys, str):
        keys = keys.split(",")
    return tuple(k.strip() for k in keys if k and k.strip())


@functools.lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise FieldKeyError("TREEM_FIELD_KEYS is empty: encrypted fields cannot be used.")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise FieldKeyError(
            "TREEM_FIELD_KEYS holds a malformed key (each must be 32 url-safe base64-encoded bytes)."
        ) from exc


def cipher() -> MultiFernet:
    """The MultiFernet for the keys configured now (cached per key list)."""
    return _multifernet(configured_keys())


def key_problem(keys: tuple[str, ...]) -> str | None:
    """Why ``keys`` cannot be used, or None when they can (for the system check)."""
    try:
        _multifernet(keys)
    except FieldKeyError as exc:
        return str(exc)
    return None


def encrypt(text: str) -> str:
    return PREFIX + cipher().encrypt(text.encode()).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise FieldKeyError("An encrypted column holds a value that is not a token (written around treem?).")
    try:
        return cipher().decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
    except InvalidToken as exc:
        raise FieldKeyError(
            "An encrypted value cannot be decrypted with any key of TREEM_FIELD_KEYS "
            "(a key was removed before `treem rotate_field_keys` re-encrypted it?)."
        ) from exc


def rotate_token(stored: str) -> str:
    """The same plaintext encrypted with the first key (``stored`` as read from the database)."""
    if not stored:
        return stored
    try:
        token = cipher().rotate(stored[len(PREFIX) :].encode("ascii"))
    except InvalidToken as exc:
        raise FieldKeyError("A value cannot be decrypted with any key of TREEM_FIELD_KEYS.") from exc
    return PREFIX + token.decode("ascii")


# --- files -----------------------------------------------------------------------------------
#
# Case attachments are encrypted with the same keys, the whole file as one Fernet token: they are
# at most TREEM_CASE_ATTACHMENT_MAX_BYTES (10 MB), so a file and its token fit in memory, and one
# token is authenticated as a whole (no chunks to reorder or cut off). On disk: FILE_MAGIC, then
# the token. A file without it was stored before files were encrypted and is read as it is
# (``cases.attachments.read_content`` checks it against its SHA-256); rotation encrypts it.

FILE_MAGIC = b"treem-fernet-file:1\n"


def is_encrypted_file(stored: bytes) -> bool:
    return stored.startswith(FILE_MAGIC)


def encrypt_file(content: bytes) -> bytes:
    """A file's content as stored on disk: FILE_MAGIC and a Fernet token of the first key."""
    return FILE_MAGIC + cipher().encrypt(content)


def decrypt_file(stored: bytes) -> bytes:
    if not is_encrypted_file(stored):
        raise FieldKeyError("An encrypted file does not start with treem's marker.")
    try:
        return cipher().decrypt(stored[len(FILE_MAGIC) :])
    except InvalidToken as exc:
        raise FieldKeyError(
            "An encrypted file cannot be decrypted with any key of TREEM_FIELD_KEYS "
            "(a key was removed before `treem rotate_field_keys` re-encrypted it?)."
        ) from exc


def rotate_file(stored: bytes) -> bytes:
    """``stored`` re-encrypted with the first key (encrypted now if it was stored in clear)."""
    if not is_encrypted_file(stored):
        return encrypt_file(stored)
    try:
        return FILE_MAGIC + cipher().rotate(stored[len(FILE_MAGIC) :])
    except InvalidToken as exc:
        raise FieldKeyError("A file cannot be decrypted with any key of TREEM_FIELD_KEYS.") from exc


# --- fields ----------------------------------------------------------------------------------


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token. Empty text is stored empty (nothing to protect)."""

    description = _("Text (encrypted at rest)")
    encrypted_at_rest = True  # audit snapshots redact it (audit.services.redacted_fields)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            # The limit is on the text as typed (checked by full_clean and forms), not the token.
            self.validators.append(MaxLengthValidator(self.max_length))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted: it cannot be searched "
                f"({lookup_name!r} lookup)."
            )
        return super().get_lookup(lookup_name)


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, and the names of those fields."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found
