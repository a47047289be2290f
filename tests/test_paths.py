"""Slug and path safety."""

from __future__ import annotations

from pathlib import Path

import pytest

from audiokit import UnsafePathError, check_slug, slugify
from audiokit.paths import resolve_inside


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Die ePA im Praxisalltag", "die-epa-im-praxisalltag"),
        ("Größe & Übermaß", "groesse-uebermass"),
        ("  ---  ", "episode"),
        ("Café № 5", "cafe-no-5"),
        ("../../etc", "etc"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert check_slug(slug) == slug


@pytest.mark.parametrize(
    "bad", ["", "../x", "a/b", "Folge", "folge 1", "-start", "ende-", "fünf", "a\x00b", "x" * 81, ".."]
)
def test_check_slug_rejects(bad: str) -> None:
    with pytest.raises(UnsafePathError, match="is not a valid slug — use only lower-case letters a-z, digits and '-'"):
        check_slug(bad)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        *((bad, "points outside the show folder") for bad in ("../x.wav", "a/../../x.wav", "/etc/passwd")),
        *((bad, "points outside the show folder") for bad in ("C:\\x.wav", "..\\x.wav")),
        ("a\x00.wav", "the path contains control characters"),
        ("", "the path is empty"),
    ],
)
def test_resolve_inside_refuses_escapes(tmp_path: Path, bad: str, message: str) -> None:
    with pytest.raises(UnsafePathError, match=f"^test: .*{message} — give a relative path inside the show folder"):
        resolve_inside(tmp_path, bad, "test")


def test_resolve_inside_accepts_unicode_and_colons(tmp_path: Path) -> None:
    assert resolve_inside(tmp_path, "töne/a:b.wav", "test") == tmp_path.resolve() / "töne" / "a:b.wav"


def test_a_jingle_named_in_the_settings_is_a_source_no_command_writes_over(tiny_show: Path) -> None:
    from audiokit.errors import ConfigError
    from audiokit.outputs import check_output_file

    jingle = tiny_show / "jingles" / "intro.wav"
    jingle.parent.mkdir()
    jingle.write_bytes(b"RIFF")
    with (tiny_show / "show.toml").open("a") as fh:
        fh.write('\n[mastering]\nintro = "jingles/intro.wav"\n')
    with pytest.raises(ConfigError, match="intro.wav is a source file of the show"):
        check_output_file(jingle)
