"""The catalog tool keeps translations when code moves: a string moved to a file of another
gettext domain keeps its translation; an untranslated new string is reported by check."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import catalog


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "handlers" / "votes").mkdir(parents=True)
    (tmp_path / "handlers" / "kit").mkdir(parents=True)
    monkeypatch.setattr(catalog, "ROOT", tmp_path)
    monkeypatch.setattr(catalog, "LOCALE_ROOT", tmp_path / "locales")
    monkeypatch.setattr(catalog, "SOURCE_DIRS", ("handlers",))
    monkeypatch.setattr(catalog, "DOMAIN_GLOBS", {"votes": ("handlers/votes/**/*.py",)})
    monkeypatch.setattr(catalog, "DOMAINS", ("core", "votes"))
    monkeypatch.setattr(catalog, "LOCALES", ("zh_Hans", "en"))
    return tmp_path


def translation(project: Path, locale: str, domain: str, msgid: str) -> object:
    path = catalog.po_path(locale, domain)
    found = {m.id: m.string for m in catalog._read(path, locale, domain)}
    return found.get(msgid)


def test_a_string_moved_to_another_domain_keeps_its_translation(project: Path) -> None:
    source = project / "handlers" / "votes" / "ballots.py"
    source.write_text('tr._("This vote is closed.")\n', "utf-8")
    catalog.update(("core", "votes"))
    path = catalog.po_path("zh_Hans", "votes")
    path.write_text(
        path.read_text("utf-8").replace(
            'msgid "This vote is closed."\nmsgstr ""',
            'msgid "This vote is closed."\nmsgstr "投票已结束。"',
        ),
        "utf-8",
    )
    assert translation(project, "zh_Hans", "votes", "This vote is closed.") == "投票已结束。"
    # the string moves to the shared kit (core domain)
    source.unlink()
    (project / "handlers" / "kit" / "refusals.py").write_text(
        'N_("This vote is closed.")\nN_("A new string")\n', "utf-8"
    )
    catalog.update(("core", "votes"))
    assert translation(project, "zh_Hans", "core", "This vote is closed.") == "投票已结束。"
    assert translation(project, "zh_Hans", "votes", "This vote is closed.") is None
    problems = catalog.problems()
    assert any("untranslated: 'A new string'" in p for p in problems)
    assert not any("This vote is closed." in p for p in problems)
