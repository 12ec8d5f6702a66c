"""Sending a built document to the browser."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from treem.documents.official import CONTENT_TYPE


def docx_response(data: bytes, filename: str) -> HttpResponse:
    """A ``.docx`` download that no cache keeps (documents often hold personal data)."""
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
