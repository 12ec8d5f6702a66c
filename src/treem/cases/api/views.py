"""The hotline push: ``POST /api/v1/reports/`` and the status of the reports a sender pushed
(docs/hotline-api.md). Every report is written by the app's own report service; the sender reads
back the number, status and commune of its own reports, never their content."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.response import Response

from treem.cases.api.serializers import SERVICE_FIELDS, HotlineCallSerializer, ReportStatusSerializer
from treem.cases.api.services import hotline_call_receive
from treem.cases.models import Report


class CanSubmitReports(permissions.BasePermission):
    """Submitting reports (cases.add_report) is the one right of this endpoint, for both methods:
    the status read back is that of the caller's own submissions."""

    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm("cases.add_report")
        )


def request_language(request) -> str:
    """The language of the answer: the one a person chose in the pages (cookie), else the
    client's Accept-Language when we have it, else Vietnamese."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    supported = dict(settings.LANGUAGES)
    if chosen in supported:
        return chosen
    for code, _quality in translation.trans_real.parse_accept_lang_header(
        request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    ):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


EXAMPLE_CALL = {
    "external_id": "111-2026-004512",
    "channel": "hotline_111",
    "received_at": "2026-12-07T08:15:00+07:00",
    "urgency": "urgent",
    "caller_relation": "neighbour",
    "caller_anonymous": True,
    "child_name": "Lò Thị Mai",
    "child_sex": "female",
    "child_age": 9,
    "commune": "20001",
    "place": "Tổ dân phố 3, gần nhà văn hóa",
    "summary": "Trẻ 9 tuổi thường xuyên bị đánh, nghỉ học nhiều ngày",
    "narrative": "Hàng xóm gọi: nghe tiếng trẻ khóc nhiều tối liền, thấy vết bầm trên tay trẻ.",
}
EXAMPLE_ANSWER = {
    "tracking_code": "K7QW3M9XPA",
    "external_id": "111-2026-004512",
    "status": "received",
    "status_label": "Tiếp nhận",
    "commune": "20001",
    "commune_name": "Phường Hải Châu",
}


@extend_schema_view(
    create=extend_schema(
        summary=_("Push a call received by a hotline as a report"),
        description=_(
            "The report is recorded exactly as one typed in the app (same checks, audit event, "
            "notifications, and the commune's worklist). The call id makes it idempotent: the same id "
            "sent again by the same account answers 200 with the same report, and writes nothing."
        ),
        request=HotlineCallSerializer,
        responses={
            201: OpenApiResponse(ReportStatusSerializer, description=_("The report was created.")),
            200: OpenApiResponse(ReportStatusSerializer, description=_("This call was already received.")),
            400: OpenApiResponse(description=_("What is wrong, field by field; nothing was written.")),
        },
        examples=[
            OpenApiExample("call", value=EXAMPLE_CALL, request_only=True),
            OpenApiExample("answer", value=EXAMPLE_ANSWER, response_only=True),
        ],
    ),
    retrieve=extend_schema(
        summary=_("Status of a report this account pushed"),
        description=_("Its tracking code, status and commune only. Other reports are not found (404)."),
        responses={200: ReportStatusSerializer},
    ),
)
class ReportPushViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reports pushed by a hotline's system (or any account that may submit reports)."""

    queryset = Report.objects.all()
    serializer_class = ReportStatusSerializer
    permission_classes = [CanSubmitReports]
    lookup_field = "tracking_code"
    lookup_value_regex = "[^/]+"

    def initial(self, request, *args, **kwargs):
        # Before authentication, so that a refused token is told in the client's language too.
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        # The reports in the units the caller may submit to, among those it pushed itself.
        return (
            Report.objects.restrict(self.request.user, "add")
            .filter(hotline_call__account=self.request.user)
            .select_related("unit", "case", "hotline_call")
        )

    def get_object(self):
        code = "".join(str(self.kwargs[self.lookup_field]).upper().split())
        report = self.get_queryset().filter(tracking_code=code).first()
        if report is None:
            raise exceptions.NotFound(_("Not found."))
        return report

    def get_serializer_class(self):
        return HotlineCallSerializer if self.action == "create" else ReportStatusSerializer

    def create(self, request, *args, **kwargs):
        call = self.get_serializer(data=request.data)
        call.is_valid(raise_exception=True)
        try:
            received, created = hotline_call_receive(acting_user=request.user, **call.service_arguments())
        except DjangoValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            raise exceptions.ValidationError(
                {SERVICE_FIELDS.get(field, field): text for field, text in messages.items()}
            ) from exc
        answer = ReportStatusSerializer(received.report, context=self.get_serializer_context())
        return Response(answer.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
