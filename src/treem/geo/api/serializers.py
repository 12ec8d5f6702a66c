from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from treem.geo.models import PlacementReview, Unit, UnitSuccession
from treem.geo.services import VILLAGE_KINDS


class UnitSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:unit-detail")

    class Meta:
        model = Unit
        fields = [
            "id",
            "url",
            "code",
            "name",
            "kind",
            "level",
            "parent",
            "valid_from",
            "valid_to",
            "latitude",
            "longitude",
        ]
        read_only_fields = fields


class VillageCreateSerializer(serializers.Serializer):
    commune = serializers.IntegerField(label=_("Commune id"))
    name = serializers.CharField(label=_("Name"), max_length=200)
    kind = serializers.ChoiceField(label=_("Kind"), choices=[(k, k) for k in VILLAGE_KINDS], default="Thôn")
    code = serializers.CharField(label=_("Code"), max_length=10, required=False, allow_blank=True, default="")


class UnitSuccessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitSuccession
        fields = ["id", "predecessor", "successor", "kind", "effective"]
        read_only_fields = fields


class PlacementReviewSerializer(serializers.ModelSerializer):
    record_type = serializers.CharField(source="content_type.model", read_only=True)

    class Meta:
        model = PlacementReview
        fields = [
            "id",
            "record_type",
            "object_id",
            "field_name",
            "record_label",
            "old_unit",
            "candidates",
            "scope_unit",
            "effective",
            "status",
            "placed_in",
            "decided_at",
        ]
        read_only_fields = fields


class PlacementDecisionSerializer(serializers.Serializer):
    new_unit = serializers.IntegerField(label=_("New unit id"))
