"""Entries of the register built through the services (tests) or directly (the access matrix)."""

from __future__ import annotations

import datetime as dt

from treem.complaints import services


def register(user, unit, **fields):
    data = {
        "kind": "complaint",
        "received_on": dt.date(2026, 3, 2),
        "sender_kind": "parent",
        "subject": "Khiếu nại về việc trường không nhận trẻ",
        "sender_name": "Nguyễn Thị Hoa",
        "details": "Con tôi bị từ chối nhập học vì không có hộ khẩu",
    }
    data.update(fields)
    return services.complaint_register(acting_user=user, unit=unit, **data)
