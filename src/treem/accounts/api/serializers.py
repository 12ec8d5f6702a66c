from rest_framework import serializers

from treem.accounts.models import Agency, User


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "kind", "unit", "valid_from", "valid_to", "email", "phone"]


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "is_active",
            "sees_all_units",
            "agency",
            "roles",
            "units",
        ]
        read_only_fields = fields

    def get_roles(self, obj) -> list[str]:
        return [g.name for g in obj.groups.all()]

    def get_units(self, obj) -> list[int]:
        return [a.unit_id for a in obj.unit_assignments.all()]
