"""Wording: every page of every role, in Vietnamese, shows no internal code and no English word.

Each role of ``accounts.roles.ROLES`` is a user on the test geography; the access matrix's world
(tests/core/test_access_matrix.py) gives every app records on every side, and a few more are added
here (users of the roles no persona holds, a child in an abuse group and in the at-risk group).
The walk takes the home page, the user menu and every page of the role's menu
(``core.navigation.menu_for``), then the links of those pages, two levels deep and bounded.

Visible text is read with an HTML parser: the text of the page, and the ``title``, ``placeholder``
and ``aria-label`` attributes; not scripts, styles or other attributes. What people typed (names,
titles, notes: every free-text value in the database) is not the interface and is left out.

Two tests fail on what they find:

* ``test_no_internal_code_is_shown``: role slugs, audit action codes (``children.child.registered``),
  indicator codes (``CHILD_ABUSE``), slugs of reference data (``nguy-co``), raw choice values
  (``hotline_111``). These are faults of the code.
* ``test_no_english_is_left``: an English msgid of the catalogue shown as is. Grouped for the
  translator: strings whose Vietnamese is missing from the catalogue (a to-do list for the
  translation), and strings that do have a Vietnamese translation but were shown in English
  anyway (a fault of the code: translated too early, or not through gettext). English text that
  is in no msgid at all (a new string that ``makemessages`` has not collected yet) is listed too.

``TREEM_WORDING_REPORT=<file>`` writes the translator's list to that file as well.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import reverse

from tests.core import test_access_matrix as access_matrix
from tests.factories import UserFactory
from treem.accounts.roles import ROLES
from treem.cases import services as case_services
from treem.children import services as children_services
from treem.children.models import CircumstanceGroup
from treem.core.navigation import menu_for

# --- the catalogue ----------------------------------------------------------------------------

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "vi" / "LC_MESSAGES" / "django.po"


def _unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    return body.encode("raw_unicode_escape").decode("unicode_escape")


def read_catalogue(path: Path = CATALOGUE) -> dict[str, list[tuple[str, str]]]:
    """msgid → (context, msgstr) for each context of a .po file (msgstr "" where missing or fuzzy)."""
    entries: dict[str, list[tuple[str, str]]] = defaultdict(list)
    entry: dict[str, str] = {}
    fuzzy = False
    key = None

    def close():
        nonlocal entry, fuzzy
        if msgid := entry.get("msgid", ""):
            msgstr = "" if fuzzy else entry.get("msgstr", entry.get("msgstr[0]", ""))
            entries[msgid].append((entry.get("msgctxt", ""), msgstr))
        entry, fuzzy = {}, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
            key = None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and key:
            entry[key] += _unquote(line)
        else:
            key = line.split(" ", 1)[0]
            entry[key] = _unquote(line)
    close()
    return dict(entries)


def compiled_msgids() -> set[tuple[str, str]]:
    """(context, msgid) the running site translates into Vietnamese (the compiled .mo files)."""
    from django.utils.translation import trans_real

    catalog = trans_real.translation("vi")._catalog
    msgids = set()
    for key in catalog.keys():  # noqa: SIM118 (a TranslationCatalog, not a dict: no __iter__)
        msgid = key[0] if isinstance(key, tuple) else key
        context, _sep, msgid = msgid.rpartition("\x04")
        msgids.add((context, msgid))
    return msgids


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _literal(msgid: str) -> str | None:
    """The part of a msgid that a page shows word for word (its longest literal stretch between
    placeholders), or None when it is too short to tell English from a code or a name."""
    part = max((p.strip(" :.,()") for p in _PLACEHOLDER.split(msgid)), key=len)
    if len(part) < 3 or not re.search(r"[A-Za-z]{2}", part) or "\n" in part:
        return None
    return part


# --- visible text -----------------------------------------------------------------------------

BLOCK = {
    "p", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "option", "button",
    "label", "legend", "dt", "dd", "section", "article", "nav", "header", "footer", "form", "table",
    "ul", "ol", "br", "caption", "summary", "small", "a", "span", "strong", "em", "code", "select",
}  # fmt: skip
HIDDEN = {"script", "style", "template", "noscript"}
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class VisibleText(HTMLParser):
    """The page's text as people see or hear it: a list of pieces, one per element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._current: list[str] = []

    def _flush(self):
        text = " ".join("".join(self._current).split())
        if text:
            self.pieces.append(text)
        self._current = []

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self._hidden += 1
            return
        if tag in BLOCK:
            self._flush()
        values = dict(attrs)
        for name in SHOWN_ATTRIBUTES:
            if values.get(name) and not self._hidden:
                self.pieces.append(" ".join(values[name].split()))
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.pieces.append(values["value"])
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in BLOCK:
            self._flush()

    def handle_data(self, data):
        if not self._hidden:
            self._current.append(data)

    def close(self):
        super().close()
        self._flush()


# --- what counts as a code --------------------------------------------------------------------

AUDIT_ACTION = re.compile(r"\b[a-z_]+\.[a-z_]+\.[a-z_]+\b")
INDICATOR_CODE = re.compile(r"\b[A-Z]{2,}_[A-Z_]{2,}\b")
SLUG = re.compile(r"(?<![\w./-])[a-z]+(?:-[a-z]+)+(?![\w/-])")
# Free-text fields hold what people typed; these hold codes, so they are not treated as typed.
CODE_FIELDS = {"code", "slug", "action", "key", "kind", "status", "codename", "app_label", "model"}


def _project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("treem.")]


def choice_codes() -> set[str]:
    """Stored values of the project's choice fields that are codes (not words, not numbers)."""
    codes = set()
    for model in _project_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", value):
                    codes.add(value)
    return codes


# Text the system writes for people (a notification's sentence) is the interface, not typed data.
SYSTEM_WRITTEN = {"notifications.notification"}


def typed_values() -> set[str]:
    """Every free-text value of the database: what people typed, not the interface."""
    values: set[str] = set()
    for model in _project_models():
        if model._meta.label_lower in SYSTEM_WRITTEN:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and f.name not in CODE_FIELDS
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            values.update(" ".join(str(v).split()) for v in row if v and len(str(v)) >= 2)
    return values


def data_slugs() -> set[str]:
    """Codes of reference data that read like words (``nguy-co``)."""
    return {c for c in CircumstanceGroup.objects.values_list("code", flat=True) if not c.isalpha()}


# --- the world and the walk -------------------------------------------------------------------


def _role_users(world) -> dict[str, object]:
    """One user per role, on the test geography, with something to see."""
    geo, personas, side = world.geo, world.personas, world.sides["a"]
    worker = UserFactory(
        username="ktv_tu_ngu", full_name="Mai Công Tác", roles=["case_worker"], units=[geo.commune_a]
    )
    case_services.case_assign(acting_user=personas["officer_a"], case=side.case, workers=[side.user, worker])
    users = {
        "system_admin": personas["admin"],
        "provincial_coordinator": personas["coordinator"],
        "commune_officer": personas["officer_a"],
        "case_supervisor": personas["supervisor_a"],
        "viewer": personas["viewer"],
        "case_worker": worker,
        "agency_reporter": UserFactory(
            username="baocao_tu_ngu",
            full_name="Ngô Báo Cáo",
            roles=["agency_reporter"],
            units=[geo.province],
            agency=geo.department,
        ),
        "hotline_officer": UserFactory(
            username="tongdai_tu_ngu",
            full_name="Đinh Tổng Đài",
            roles=["hotline_officer"],
            units=[geo.province],
        ),
    }
    # Machine clients' roles open no page: the API's own tests cover them (tests/api/).
    assert set(users) == {r.slug for r in ROLES if not r.machine}, "a new role: give it a user here"
    return users


def _more_records(world) -> None:
    """A child in the abuse group and in the at-risk group: the feed must name neither beside it."""
    side = world.sides["a"]
    for code in ("l", "nguy-co"):
        children_services.circumstance_enter(
            acting_user=side.user,
            child=side.child,
            group=CircumstanceGroup.objects.get(code=code),
            entered_on=dt.date(2026, 3, 1),
        )


MAX_PAGES_PER_ROLE = 70
LINKS_PER_PAGE = 4
SKIPPED = re.compile(
    r"/logout|/i18n/|/api/|/static/|/media/|export|download|\.docx|\.xlsx|\.csv|\.zip|/forms/|"
    r"format=|/output|/two-factor/|/bao-tin/"
)


def _worth_following(href: str) -> bool:
    parts = urlsplit(href)
    return (
        not parts.scheme
        and not parts.netloc
        and parts.path.startswith("/")
        and not SKIPPED.search(href)
        and bool(re.search(r"/\d+/|/history/|/new/|/add/", parts.path))
    )


def _log_in(client, user) -> None:
    """Signed in past the one-time code (the module's world is built before tests/conftest.py's
    function-scoped ``force_login`` patch applies)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from treem.accounts.two_factor import two_factor_required

    client.force_login(user)
    if two_factor_required(user):
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def walk(user) -> tuple[dict[str, list[str]], list[str]]:
    """Visible pieces of text of every page the role reaches, by path; and pages that failed."""
    # A browser's user agent: the profile lists it (the test client sends none, shown "<unknown>").
    client = Client(
        raise_request_exception=False, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/120"
    )
    _log_in(client, user)
    start = [reverse("home"), reverse("accounts:profile"), reverse("notifications:list")]
    start += [item.href for menu in menu_for(user) for item in menu.items]
    queue = [(href, 0) for href in dict.fromkeys(start)]
    seen = {href for href, _depth in queue}
    pages: dict[str, list[str]] = {}
    broken: list[str] = []
    while queue and len(pages) < MAX_PAGES_PER_ROLE:
        href, depth = queue.pop(0)
        response = client.get(href)
        if response.status_code >= 500:
            broken.append(f"{href}: {response.status_code}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        parser.close()
        pages[href] = parser.pieces
        if depth >= 2:
            continue
        followed = 0
        for link in parser.links:
            link = link.split("#", 1)[0]
            if link and link not in seen and _worth_following(link) and followed < LINKS_PER_PAGE:
                seen.add(link)
                queue.append((link, depth + 1))
                followed += 1
    return pages, broken


@pytest.fixture(scope="module")
def walked(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every role's pages, walked once inside a transaction rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            TREEM_JOBS_INLINE=True,
            TREEM_STATISTICS_CACHE_SECONDS=0,
            LANGUAGE_CODE="vi",
        ),
        transaction.atomic(),
    ):
        world = access_matrix._build_world()
        users = _role_users(world)
        _more_records(world)
        result = SimpleNamespace(
            pages={},
            broken=[],
            typed=typed_values(),
            choices=choice_codes(),
            slugs=data_slugs(),
            catalogue=read_catalogue(),
            compiled=compiled_msgids(),
        )
        for slug, user in users.items():
            result.pages[slug], broken = walk(user)
            result.broken += [f"{slug} {b}" for b in broken]
        transaction.set_rollback(True)
    return result


def _typed(piece: str, found: str, typed: set[str]) -> bool:
    """``found`` sits in what someone typed rather than in the interface."""
    return piece in typed or any(found in value and value in piece for value in typed if found in value)


def _where(places: set[tuple[str, str]]) -> str:
    by_role = defaultdict(list)
    for role, path in sorted(places):
        by_role[role].append(path)
    return "; ".join(
        f"{role}: {', '.join(paths[:3])}{' …' if len(paths) > 3 else ''}" for role, paths in by_role.items()
    )


# --- the tests --------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_every_role_reaches_its_pages(walked):
    assert not walked.broken, walked.broken
    for role, pages in walked.pages.items():
        assert len(pages) >= 3, (role, list(pages))


def test_no_internal_code_is_shown(walked):
    role_slugs = {r.slug for r in ROLES}
    word = {
        code: re.compile(rf"(?<![\w.-]){re.escape(code)}(?![\w-])") for code in role_slugs | walked.choices
    }
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for role, pages in walked.pages.items():
        for path, pieces in pages.items():
            for piece in pieces:
                hits = []
                hits += [("action code", m) for m in AUDIT_ACTION.findall(piece)]
                hits += [("indicator code", m) for m in INDICATOR_CODE.findall(piece)]
                hits += [("slug", m) for m in SLUG.findall(piece) if m in walked.slugs or "_" in m]
                hits += [
                    ("role slug" if code in role_slugs else "choice value", code)
                    for code, pattern in word.items()
                    if code in piece and pattern.search(piece)
                ]
                for kind, text in hits:
                    if not _typed(piece, text, walked.typed):
                        found[f"{kind}: {text!r} in {piece[:90]!r}"].add((role, path))
    report = "\n".join(f"- {what}\n    {_where(places)}" for what, places in sorted(found.items()))
    assert not found, f"{len(found)} internal codes shown to people:\n{report}"


ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def _english_vocabulary(catalogue: dict[str, list[tuple[str, str]]]) -> set[str]:
    """Words of the English msgids that no Vietnamese msgstr uses too (so not "Email", "Excel")."""
    english = {w.lower() for msgid in catalogue for w in ENGLISH_WORD.findall(_PLACEHOLDER.sub(" ", msgid))}
    vietnamese = {
        w.lower()
        for msgstrs in catalogue.values()
        for _c, s in msgstrs
        for w in ENGLISH_WORD.findall(_PLACEHOLDER.sub(" ", s))
    }
    return english - vietnamese


def _english_runs(piece: str, vocabulary: set[str]) -> list[str]:
    """Stretches of English in a piece of text: consecutive words in ASCII, holding at least one
    word of the catalogue's English ("Opened the" of "Opened the trẻ em: Lò Thị Mai")."""
    runs, run = [], []
    for token in [*piece.split(), "ắ"]:  # a last non-ASCII word closes the last run
        if token.isascii() and re.search(r"[A-Za-z]", token):
            run.append(token)
            continue
        if run and any(w.lower() in vocabulary for w in ENGLISH_WORD.findall(" ".join(run))):
            runs.append(" ".join(run).strip(" :.,;()·–—-"))
        run = []
    return runs


def _msgid_pattern(msgid: str) -> re.Pattern:
    parts = _PLACEHOLDER.split(msgid)
    return re.compile(".+?".join(re.escape(p) for p in parts), re.S)


def english_findings(walked) -> dict[str, dict[str, set[tuple[str, str]]]]:
    """English shown in the Vietnamese pages, grouped: "missing" (a msgid without its Vietnamese
    in a context, or not compiled yet), "untranslated" (a msgid translated in every context of the
    compiled catalogue, shown in English anyway), "new" (English in no msgid: a string that
    makemessages has not collected yet, or one that never goes through gettext)."""
    vocabulary = _english_vocabulary(walked.catalogue)
    exact: dict[str, tuple[str, bool]] = {}
    templated: list[tuple[re.Pattern, str, bool]] = []
    for msgid, msgstrs in walked.catalogue.items():
        if any(m.strip() == msgid.strip() for _c, m in msgstrs if m):
            continue  # the same in both languages (a name, an abbreviation)
        translated = all(m and (c, msgid) in walked.compiled for c, m in msgstrs)
        exact.setdefault(msgid.strip(" :.,;()·–—-"), (msgid, translated))
        if _PLACEHOLDER.search(msgid) and _literal(msgid):
            templated.append((_msgid_pattern(msgid), msgid, translated))

    def classify(piece: str) -> list[tuple[str, str]]:
        found = []
        if piece in walked.typed:
            return found
        runs = [r for r in _english_runs(piece, vocabulary) if not _typed(piece, r, walked.typed)]
        for run in runs:
            if run in exact:
                msgid, translated = exact[run]
                found.append(("untranslated" if translated else "missing", msgid))
                continue
            match = next(((m, t) for pattern, m, t in templated if pattern.fullmatch(piece)), None)
            if match:
                found.append(("untranslated" if match[1] else "missing", match[0]))
            else:
                found.append(("new", run))
        return found

    groups: dict[str, dict[str, set[tuple[str, str]]]] = {
        "missing": defaultdict(set),
        "untranslated": defaultdict(set),
        "new": defaultdict(set),
    }
    cache: dict[str, list[tuple[str, str]]] = {}
    for role, pages in walked.pages.items():
        for path, pieces in pages.items():
            for piece in pieces:
                if piece not in cache:
                    cache[piece] = classify(piece)
                for group, text in cache[piece]:
                    groups[group][text].add((role, path))
    return groups


def test_no_english_is_left(walked):
    groups = english_findings(walked)
    lines = []
    if groups["missing"]:
        lines.append(
            f"Missing Vietnamese translations ({len(groups['missing'])} msgids shown in English: "
            "untranslated in the .po, or translated there but not compiled into the .mo yet):"
        )
        lines += [f'  msgid "{m}"\n      {_where(p)}' for m, p in sorted(groups["missing"].items())]
    if groups["untranslated"]:
        lines.append(
            f"Translated in the compiled catalogue but shown in English ({len(groups['untranslated'])}: "
            "a fault of the code — translated too early, or not through gettext):"
        )
        lines += [f'  msgid "{m}"\n      {_where(p)}' for m, p in sorted(groups["untranslated"].items())]
    if groups["new"]:
        lines.append(
            f"English text in no msgid of the catalogue ({len(groups['new'])}: a new string to collect with "
            "makemessages and translate, or English that is not passed through gettext):"
        )
        lines += [f"  {text!r}\n      {_where(p)}" for text, p in sorted(groups["new"].items())]
    report = "\n".join(lines)
    if target := os.environ.get("TREEM_WORDING_REPORT"):
        Path(target).write_text(report + "\n", encoding="utf-8")
    assert not lines, report
