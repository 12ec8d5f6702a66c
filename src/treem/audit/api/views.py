from rest_framework import serializers, viewsets

from treem.audit.filtersets import AuditEventFilterSet
from treem.audit.models import AuditEvent
from treem.core.api import ScopedViewSetMixin


class AuditEventSerializer(serializers.ModelSerializer):
    record_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_label",
            "action",
            "record_type",
            "object_id",
            "object_label",
            "unit",
            "changes",
            "reason",
            "ip_address",
            "hash",
        ]
        read_only_fields = fields

    def get_record_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}" if obj.content_type_id else ""


class AuditEventViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The audit log, limited to events about the caller's units."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    select_related = ("content_type",)
