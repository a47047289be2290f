"""The settings schema: the reference is generated from it (and docs/settings.md is current), command-line
overrides are checked by it, and edits of user TOML keep comments and key order."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import msgspec
import pytest
from click.testing import CliRunner

from audiokit import ConfigError, load_show
from audiokit.cli import cli
from audiokit.config.reference import reference
from audiokit.config.schema import FILES, Role
from audiokit.config.validate import split
from audiokit.glossary import GLOSSARY_FILE, add_replacement, load_glossary
from audiokit.people import HOST_ROLES
from audiokit.publish.guid import keep_podcast_guid, podcast_guid
from audiokit.transcription import load_settings
from helpers_mastering import sine, write_pcm

DOCS = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def test_docs_settings_md_is_the_current_reference() -> None:
    assert DOCS.read_text("utf-8") == reference(), "run: audiokit settings > docs/settings.md"


def test_the_settings_command_prints_the_reference() -> None:
    result = CliRunner().invoke(cli, ["settings"])
    assert result.exit_code == 0 and result.output == reference()
    assert "| `target` | a number, from -40 to -5 LUFS | `-16.0` |" in result.output


def _tables(schema: type, seen: set[type]) -> None:
    seen.add(schema)
    for f in msgspec.structs.fields(schema):
        core, meta = split(f.type)
        inner = get_args(core)[0] if get_args(core) and isinstance(get_args(core)[0], type) else core
        table = next((t for t in (core, inner) if isinstance(t, type) and issubclass(t, msgspec.Struct)), None)
        if table is not None and table not in seen:
            _tables(table, seen)
        assert table is not None or meta.get("description"), f"{schema.__name__}.{f.encode_name} has no description"


def test_every_key_is_documented_and_the_roles_agree() -> None:
    seen: set[type] = set()
    for schema in FILES.values():
        _tables(schema, seen)
    assert len(seen) >= 12 and all(s.__doc__ for s in seen)
    assert set(HOST_ROLES) < set(get_args(Role))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "-60"], "setting 'mastering.target' is outside -40…-5 LUFS — give a number from -40 to -5"),
        (["--bitrate", "8"], "setting 'mastering.bitrate' is outside 16…512 kbit/s — give a number from 16 to 512"),
        (["--sample-rate", "12345"], "setting 'mastering.sample_rate' is 12345 — use one of: 8000,"),
    ],
)
def test_command_line_overrides_are_checked_by_the_schema(tmp_path, args, message) -> None:
    source = write_pcm(tmp_path / "ton.wav", sine(440, -20, 1.0))
    result = CliRunner().invoke(cli, ["master", str(source), *args])
    assert result.exit_code == 1 and "Traceback" not in result.output
    [error] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert message in error
    assert not list(tmp_path.glob("*-master.*"))


def test_transcription_overrides_go_through_the_schema(tiny_show) -> None:
    [episode] = load_show(tiny_show).episodes()
    assert load_settings(episode, model="small", device="cpu").model == "small"
    with pytest.raises(ConfigError, match=r"setting 'transcription.device' is 'gpu' — use one of: auto, cpu, cuda"):
        load_settings(episode, device="gpu")


def test_a_misspelt_key_is_reported_as_missing_before_it_is_reported_unknown(tiny_show) -> None:
    toml = tiny_show / "show.toml"
    toml.write_text(toml.read_text("utf-8").replace("author =", "autor ="), encoding="utf-8")
    with pytest.raises(ConfigError, match="key 'author' is missing") as info:
        load_show(tiny_show)
    assert 'author = "Digitalwerk"' in info.value.fix
    toml.write_text(toml.read_text("utf-8").replace("autor =", "author ="), encoding="utf-8")
    toml.write_text(toml.read_text("utf-8") + 'organisatoin = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"key 'hosts\[0\].organisatoin' is not a known setting") as info:
        load_show(tiny_show)
    assert "organisation" in info.value.fix


SHOW_WITH_COMMENTS = """\
# Unsere Show. Kommentare bleiben stehen.
title = "Kleine Show"  # der Name
author = "Redaktion"
base_url = "https://example.org/tiny"
cover = "cover.png"

# Die Moderation
[[hosts]]
name = "Anna Beispiel"

[mastering]
preset = "podcast"  # -16 LUFS
"""


def test_storing_the_podcast_guid_keeps_comments_and_key_order(tiny_show) -> None:
    toml = tiny_show / "show.toml"
    toml.write_text(SHOW_WITH_COMMENTS, encoding="utf-8")
    guid = keep_podcast_guid(load_show(tiny_show), "https://example.org/tiny/feed.xml")
    assert guid == podcast_guid("https://example.org/tiny/feed.xml")
    lines = toml.read_text("utf-8").splitlines(keepends=True)
    assert lines[1].startswith(f'podcast_guid = "{guid}"  # ')
    assert "".join(lines[:1] + lines[2:]) == SHOW_WITH_COMMENTS  # nothing else moved or changed
    assert load_show(tiny_show).podcast_guid == guid


GLOSSARY_WITH_COMMENTS = """\
# Begriffe der Show
terms = ["ePA", "Gematik"]  # erkannt wie geschrieben

# Immer ersetzen
[replace]
"Abend" = "Morgen"  # ein Beispiel
"E-Pa" = "ePA"
"""


def test_a_glossary_edit_keeps_comments_and_key_order(tmp_path) -> None:
    (tmp_path / GLOSSARY_FILE).write_text(GLOSSARY_WITH_COMMENTS, encoding="utf-8")
    add_replacement(tmp_path, "Gematick", "Gematik")
    text = (tmp_path / GLOSSARY_FILE).read_text("utf-8")
    assert text == GLOSSARY_WITH_COMMENTS + 'Gematick = "Gematik"\n'
    assert list(load_glossary(tmp_path).replacements) == ["Abend", "E-Pa", "Gematick"]
