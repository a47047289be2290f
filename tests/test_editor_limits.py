"""Editor and text import: literal glossary rules saved with the transcript, bounded and
near-linear import-text, deeply nested request bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiokit import transcript as transcript_mod
from audiokit.cli import cli
from audiokit.editor import EditorServer, History, import_text, open_episode
from audiokit.editor.history import ChangedOnDisk
from audiokit.errors import TranscriptError
from audiokit.glossary import Glossary, load_glossary
from helpers_editor import long_transcript, make_show
from test_editor_server import call, op, state
from test_import_text import edit_words, render

GLOSSARY = """# Begriffe unserer Show, bitte pflegen
terms = ["Gematik"]  # Firmen und Behörden

[replace]
# falsch erkannt = richtig
"Gema tick" = "Gematik"
"""


@pytest.fixture(scope="module")
def episode(tmp_path_factory) -> Path:
    folder, _ = make_show(tmp_path_factory.mktemp("issue10") / "show")
    return folder


def test_a_rule_with_backslashes_is_literal_and_saved_with_the_transcript(episode: Path) -> None:
    glossary = episode.parent / "glossary.toml"
    glossary.write_text(GLOSSARY, "utf-8")
    right = "Pra\\1xis \\g<0> \\"
    with EditorServer(open_episode(episode)).start() as srv:
        before = state(srv)
        etag, second = before["etag"], before["transcript"]["segments"][1]["id"]
        response, data = op(srv, {"op": "replace_always", "wrong": "E-Pa", "right": right}, etag)
        assert response.status == 200, data
        after = json.loads(data)
        changed = {s["id"]: s for s in after["changed"]}
        assert right in " ".join(w["text"] for w in changed[second]["words"])
        text = glossary.read_text("utf-8")
        assert text.startswith(GLOSSARY.split("\n[replace]")[0].split("\n")[0])  # the comments stay
        assert "# Firmen und Behörden" in text and "# falsch erkannt = richtig" in text
        assert load_glossary(episode.parent).replacements == {"Gema tick": "Gematik", "E-Pa": right}
        assert Glossary(replacements={"E-Pa": right}).apply("Die E-Pa läuft.") == f"Die {right} läuft."

        response, data = op(srv, {"op": "undo"}, after["etag"])  # undo takes the rule back, too
        assert response.status == 200 and json.loads(data)["etag"] == etag
        assert glossary.read_text("utf-8") == GLOSSARY
        response, data = op(srv, {"op": "redo"}, etag)
        assert response.status == 200 and "E-Pa" in load_glossary(episode.parent).replacements
        response, _ = op(srv, {"op": "undo"}, json.loads(data)["etag"])
        assert response.status == 200 and glossary.read_text("utf-8") == GLOSSARY


def test_a_refused_save_leaves_the_glossary_as_it_was(episode: Path, monkeypatch) -> None:
    from audiokit.editor.operations import apply_and_save

    glossary = episode.parent / "glossary.toml"
    glossary.write_text(GLOSSARY, "utf-8")
    history = History(episode / "transcript.json")
    before, etag = history.load()

    def changed_meanwhile(*args, **kwargs):  # another window saved between load and commit
        raise ChangedOnDisk(history.path, "other")

    monkeypatch.setattr(history, "commit", changed_meanwhile)
    with pytest.raises(ChangedOnDisk, match=r"transcript\.json was changed meanwhile .* reload it and make the change"):
        apply_and_save(
            history, {"op": "replace_always", "wrong": "E-Pa", "right": "ePA"}, expected=etag, show_dir=episode.parent
        )
    assert glossary.read_text("utf-8") == GLOSSARY
    assert transcript_mod.load(episode / "transcript.json") == before


def test_a_deeply_nested_body_is_a_bad_request(episode: Path) -> None:
    with EditorServer(open_episode(episode)).start() as srv:
        etag = state(srv)["etag"]
        headers = {"X-Audiokit-Token": srv.token, "Content-Type": "application/json", "If-Match": f'"{etag}"'}
        for body in (b"[" * 100_000, b'{"op": ' * 50_000, b'{"op": "edit"'):
            response, data = call(srv.port, "POST", "/api/op", body=body, headers=headers)
            assert response.status == 400 and "JSON" in json.loads(data)["error"]
        assert state(srv)["etag"] == etag


def test_an_86000_word_import_keeps_every_unchanged_word_time() -> None:
    original = long_transcript(3440, 25)  # 86,000 words, about ten hours of talk
    blocks, origin = edit_words(original, 0.05, seed=5)
    imported = import_text(original, render(blocks))
    old = original.words
    assert [w.text for w in imported.words] == [w for _, words in blocks for w in words]
    kept = [(w.start, w.end) for w, o in zip(imported.words, origin) if o is not None]
    assert kept == [(old[o].start, old[o].end) for o in origin if o is not None]
    assert len(kept) > 80_000


def test_a_text_too_large_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    folder, transcript = make_show(tmp_path / "show")
    huge = tmp_path / "riesig.txt"
    huge.write_text("Clara Vogt [Netzwerk Digitale Gesundheit]:\n" + "Wort " * 2_000_000, "utf-8")  # 10 MB
    result = CliRunner().invoke(cli, ["import-text", str(folder), str(huge)])
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "MB" in result.output
    assert transcript_mod.load(folder / "transcript.json") == transcript
    with pytest.raises(TranscriptError, match="more than"):
        import_text(transcript, huge.read_text("utf-8"))
