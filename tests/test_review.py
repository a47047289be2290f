"""The review state of a transcript: stored, set by `audiokit review` and the editor, shown by the build,
deciding what the site and feed publish; the editor leads through the uncertain words first."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from lxml import etree

from audiokit import load_show
from audiokit import transcript as transcript_mod
from audiokit.cli import cli
from audiokit.editor import EditorServer, History, open_episode
from audiokit.editor.operations import apply_and_save
from audiokit.editor.review import set_review
from audiokit.errors import TranscriptError
from audiokit.publish.check import NS
from audiokit.stages.publish import PublishEpisodeStage, PublishShowStage
from audiokit.uncertainty import is_uncertain, term_words
from helpers_editor import make_show, open_editor_page
from helpers_publish import master_all, publish, tone_mp3, write_show

LABEL = "automatisch erstellt, nicht geprüft"


def test_review_state_round_trips_through_the_file_the_cli_and_edits(tmp_path: Path) -> None:
    episode, _ = make_show(tmp_path / "show")
    path = episode / "transcript.json"
    assert transcript_mod.load(path).review == "unreviewed"  # a machine transcript starts unreviewed

    result = CliRunner().invoke(cli, ["review", str(episode)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("001-runde\treviewed")
    data = json.loads(path.read_text("utf-8"))
    assert data["version"] == 4 and data["review"] == "reviewed"
    assert transcript_mod.Transcript.from_dict(data).to_dict() == data

    history = History(path)  # an edit keeps the state
    seg = transcript_mod.load(path).segments[1]
    apply_and_save(
        history,
        {"op": "edit", "segment": seg.id, "text": "Danke schön."},
        expected=history.etag(),
        show_dir=episode.parent,
    )
    assert transcript_mod.load(path).review == "reviewed"

    result = CliRunner().invoke(cli, ["review", str(episode), "--undo"])
    assert result.exit_code == 0 and transcript_mod.load(path).review == "unreviewed"

    older = {**data, "version": 3}
    del older["review"]
    assert transcript_mod.Transcript.from_dict(older).review == "unreviewed"  # version 3: unreviewed
    with pytest.raises(TranscriptError, match="review"):
        transcript_mod.Transcript.from_dict({**data, "review": "maybe"})


def _published(out: Path, slug: str) -> tuple[str, list[str], str]:
    """The episode page, the podcast:transcript URLs of the feed item and its content (shownotes, by feedparser)."""
    page = (out / slug / "index.html").read_text("utf-8")
    entry = feedparser.parse(str(out / "feed.xml")).entries[0]
    item = etree.parse(str(out / "feed.xml")).find("channel/item")
    return page, [t.get("url") for t in item.findall("podcast:transcript", NS)], entry.content[0].value


def test_unreviewed_transcripts_are_labelled_or_held_and_a_review_republishes(tmp_path: Path) -> None:
    show = write_show(tmp_path)
    out = tmp_path / "public"
    master_all(show, out, tone_mp3(tmp_path / "tone.mp3"))
    slug = "001-folge-1"

    report = publish(show, out)  # the default: "label"
    assert not report.failed and report.reviews == {slug: "unreviewed, labelled"}
    page, links, content = _published(out, slug)
    assert LABEL in page and 'id="transkript"' in page and LABEL in content
    assert len(links) == 5 and (out / slug / "transcript.vtt").read_text("utf-8").startswith(
        f"WEBVTT\n\nNOTE Transkript {LABEL}\n\n"
    )

    toml = show / "show.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[publish]\nunreviewed_transcripts = "hold"\n', "utf-8")
    report = publish(show, out)
    assert not report.failed and report.reviews == {slug: "unreviewed, held back"}
    page, links, content = _published(out, slug)
    assert 'id="transkript"' not in page and links == [] and "Transkript" not in content
    assert not list((out / slug).glob("transcript.*"))

    set_review(load_show(show).episodes()[0])
    report = publish(show, out)  # the state changed: the transcript is published, without a label
    assert not report.failed and report.reviews == {slug: "reviewed"}
    assert any(r.stage == "publish" and r.status == "done" for r in report.results)
    page, links, content = _published(out, slug)
    assert 'id="transkript"' in page and LABEL not in page and LABEL not in content and len(links) == 5
    assert "NOTE" not in (out / slug / "transcript.vtt").read_text("utf-8")


def test_build_table_shows_the_review_state(tmp_path: Path, monkeypatch) -> None:
    show = write_show(tmp_path, episodes=2)
    out = tmp_path / "public"
    master_all(show, out, tone_mp3(tmp_path / "tone.mp3"))
    set_review(load_show(show).episodes()[1])
    monkeypatch.setattr(
        sys.modules["audiokit.build"], "default_stages", lambda: [PublishEpisodeStage(), PublishShowStage()]
    )
    result = CliRunner().invoke(cli, ["build", str(show), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [line.split(None, 2) for line in result.output.splitlines()]
    assert ["001-folge-1", "review", "unreviewed, labelled"] in rows and ["002-folge-2", "review", "reviewed"] in rows


def test_glossary_terms_and_names_are_not_uncertain_for_being_rare() -> None:
    terms = term_words(["Telematikinfrastruktur", "Clara Vogt"])
    assert not is_uncertain("Telematikinfrastruktur.", 0.3, terms) and not is_uncertain("Vogt,", 0.2, terms)
    assert is_uncertain("Telematik", 0.3, terms) and is_uncertain("Rezept", 0.5, terms)
    assert is_uncertain("Patientenakte", 0.7) and not is_uncertain("Akte", 0.7)  # long words: a higher bar


@pytest.mark.slow
def test_editor_leads_through_the_uncertain_words_and_marks_reviewed(tmp_path: Path, browser) -> None:
    episode, transcript = make_show(tmp_path / "show")
    (episode.parent / "glossary.toml").write_text('terms = ["E-Pa"]\n', "utf-8")
    low = {(0, "Praxissoftware."): 0.3, (1, "E-Pa"): 0.2, (2, "reagiert?"): 0.4, (3, "Sorge"): 0.5}
    for i, segment in enumerate(transcript.segments):
        for w in segment.words:
            w.probability = low.get((i, w.text), w.probability)
    transcript.save(episode / "transcript.json")
    with EditorServer(open_episode(episode)).start() as server:
        context, page, errors = open_editor_page(browser, server.url)
        assert page.locator(".w.low").all_text_contents() == ["Praxissoftware.", "reagiert?", "Sorge"]
        assert page.locator("#uncertain-count").text_content() == "3 unsichere Wörter"

        def selected() -> str:
            return page.evaluate("getSelection().toString()")

        page.keyboard.press("F8")
        assert selected() == "Praxissoftware." and page.locator(".w.current").text_content() == "Praxissoftware."
        assert page.evaluate("audio.currentTime") == pytest.approx(transcript.segments[0].words[-1].start, abs=0.002)
        assert page.locator("#uncertain-count").text_content() == "1 von 3 unsichere Wörter"
        page.keyboard.press("F8")
        page.keyboard.press("F8")
        assert selected() == "Sorge"
        page.keyboard.press("F8")  # wraps around
        assert selected() == "Praxissoftware."
        page.keyboard.press("Shift+F8")
        assert selected() == "Sorge"
        page.click("#prev-uncertain")
        assert selected() == "reagiert?"
        page.keyboard.type("reagierten?")  # the selection is replaced: the corrected word is no longer uncertain
        page.keyboard.press("Control+s")
        page.wait_for_function("() => document.querySelectorAll('.w.low').length === 2")
        assert page.locator("#uncertain-count").text_content() == "2 unsichere Wörter"

        page.click("#review")
        page.wait_for_function("() => document.getElementById('review').textContent === 'Als ungeprüft markieren'")
        assert transcript_mod.load(episode / "transcript.json").review == "reviewed"
        page.click("#review")
        page.wait_for_function("() => document.getElementById('review').textContent === 'Als geprüft markieren'")
        saved = transcript_mod.load(episode / "transcript.json")
        assert saved.review == "unreviewed" and "reagierten?" in saved.segments[2].text
        context.close()
        assert not errors
