"""In-app notifications: the ``notify`` API, e-mail after commit, the bell, the inbox."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from treem.notifications.models import Notification
from treem.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_notify_writes_the_inbox_and_emails_after_commit(officer_a, django_capture_on_commit_callbacks):
    officer_a.email = "canbo.a@example.vn"
    officer_a.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note = notify(officer_a, "Hồ sơ 2026-000001 sắp đến hạn", "/cases/1/")
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert note.recipient == officer_a and note.emailed and not note.is_read
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["canbo.a@example.vn"]
    assert message.subject == "[treem] Hồ sơ 2026-000001 sắp đến hạn"
    assert "/cases/1/" in message.body


def test_a_rolled_back_notification_sends_no_email(officer_a, django_capture_on_commit_callbacks):
    from django.db import transaction

    officer_a.email = "canbo.a@example.vn"
    officer_a.save(update_fields=["email"])
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(officer_a, "Sẽ bị huỷ", "/")
        raise RuntimeError("the caller's work failed")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_no_email_without_address_or_when_not_asked(officer_a, officer_b, django_capture_on_commit_callbacks):
    officer_b.email = "canbo.b@example.vn"
    officer_b.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(officer_a, "Không có địa chỉ", "/")
        second = notify(officer_b, "Chỉ trong ứng dụng", "/", email=False)
    assert not first.emailed and not second.emailed
    assert mail.outbox == []


def test_inactive_users_get_nothing(officer_a):
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])
    assert notify(officer_a, "x", "/") is None
    assert notify(None, "x", "/") is None
    assert not Notification.objects.exists()


def test_the_bell_counts_unread_notifications(client, officer_a, officer_b):
    # (links to other pages than the home page: opening a notification's page marks it read)
    notify(officer_a, "Một", "/children/", email=False)
    notify(officer_a, "Hai", "/cases/", email=False)
    notify(officer_b, "Của người khác", "/children/", email=False)
    client.force_login(officer_a)
    text = client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-notifications"' in text
    assert 'data-testid="unread-count">2<' in text


def test_the_inbox_shows_only_ones_own(client, officer_a, officer_b):
    notify(officer_a, "Thông báo của An", "/", email=False)
    notify(officer_b, "Thông báo của Bình", "/", email=False)
    client.force_login(officer_a)
    text = client.get(reverse("notifications:list")).content.decode()
    assert "Thông báo của An" in text and "Thông báo của Bình" not in text


def test_opening_marks_read_and_goes_to_the_link(client, officer_a):
    note = notify(officer_a, "Mở tôi", "/children/", email=False)
    client.force_login(officer_a)
    response = client.post(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/children/"
    note.refresh_from_db()
    assert note.is_read
    text = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count"' not in text


def test_someone_elses_notification_is_404(client, officer_a, officer_b):
    note = notify(officer_b, "Không phải của An", "/", email=False)
    client.force_login(officer_a)
    assert client.post(reverse("notifications:open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert not note.is_read


def test_an_outside_link_is_not_followed(client, officer_a):
    note = Notification.objects.create(recipient=officer_a, text="Lạ", link="https://evil.example/")
    client.force_login(officer_a)
    response = client.post(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read(client, officer_a, officer_b):
    notify(officer_a, "Một", "/", email=False)
    notify(officer_a, "Hai", "/", email=False)
    other = notify(officer_b, "Ba", "/", email=False)
    client.force_login(officer_a)
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert not Notification.objects.filter(recipient=officer_a, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert not other.is_read
    page = client.get(reverse("notifications:list"), {"unread": "1"})
    assert "No notification." in page.content.decode()


def test_restrict_never_shows_another_users_notifications(officer_a, officer_b, admin):
    notify(officer_b, "Riêng", "/", email=False)
    assert not Notification.objects.restrict(admin, "view").exists()  # not even an administrator's
    assert not Notification.objects.restrict(officer_a, "delete").exists()
