"""Two-factor authentication: who needs it, their TOTP device, and the QR code to enrol it.

The codes come from an authenticator app (TOTP, RFC 6238) through django-otp; the QR code is an
SVG drawn here by ``qrcode``, so enrolment makes no call to any other server.
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from treem.accounts.models import User
from treem.accounts.roles import TWO_FACTOR_ROLES

DEVICE_NAME = "authenticator"


def two_factor_required(user: User) -> bool:
    """Whether ``user`` must confirm a one-time code after the password (administrators, case roles)."""
    if not getattr(settings, "TREEM_REQUIRE_2FA", True) or not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=TWO_FACTOR_ROLES).exists()


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled: the same secret until it is confirmed or reset."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address of ``device`` as an inline SVG QR code."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    # Drop the XML declaration: the SVG is placed inside the HTML page.
    return svg[svg.index("<svg") :]


def demo_device(user: User) -> str:
    """A confirmed authenticator for a demo user (``treem demo``); returns the key to print."""
    device = confirmed_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    return secret_base32(device)
