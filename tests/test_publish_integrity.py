"""Publishing side: a failed build publishes nothing half, placeholders are refused,
names come from the transcript, bare-audio transcripts export, one time rule, names
alone in WebVTT voices and JSON speakers, control characters never reach an output."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from lxml import etree
from PIL import Image

from audiokit.build import build
from audiokit.errors import AudiokitError, ConfigError, PublishError, TranscriptError
from audiokit.exports import export_transcript
from audiokit.ffmpeg import find_ffmpeg
from audiokit.publish.check import check_site
from audiokit.scaffold import new_episode
from audiokit.stages import BuildContext, Stage
from audiokit.stages.master import MasterStage
from audiokit.stages.publish import PublishEpisodeStage, PublishShowStage
from audiokit.transcript import Segment, Transcript, TranscriptSpeaker, load
from audiokit.workspace import load_show
from helpers_publish import add_episode, master_all, publish, sample_transcript, timed_words, tone_mp3, write_show
from synth import write_wav

SLUG = "001-folge-1"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"


@pytest.fixture
def tiny_show(tiny_show: Path) -> Path:
    """conftest's show with an owner e-mail, which ``check_site`` requires."""
    toml = tiny_show / "show.toml"
    toml.write_text('owner_email = "redaktion@example.org"\n' + toml.read_text("utf-8"), encoding="utf-8")
    return tiny_show


@pytest.fixture(scope="module")
def mp3(tmp_path_factory) -> Path:
    return tone_mp3(tmp_path_factory.mktemp("audio") / "tone.mp3")


def test_a_build_with_a_bad_cover_stops_before_any_audio_work_and_leaves_public_as_it_was(tiny_show, tmp_path):
    stages = [MasterStage(), PublishEpisodeStage(), PublishShowStage()]
    toml = tiny_show / "show.toml"
    toml.write_text('categories = ["Technology"]\n' + toml.read_text("utf-8"), encoding="utf-8")
    out = tmp_path / "public"
    assert not build(tiny_show, out, stages=stages).failed
    audio = out / "001-erste-folge" / "001-erste-folge.mp3"
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    toml.write_text(toml.read_text("utf-8") + "\n[mastering]\ntarget = -20\n", encoding="utf-8")
    Image.new("RGB", (100, 100), (200, 30, 30)).save(tiny_show / "cover.png")
    work = []  # every piece of audio work asks for a progress bar first
    with pytest.raises(PublishError, match=r"cover cover.png: is 100×100 px"):
        build(tiny_show, out, stages=stages, progress=lambda label, total: work.append(label) or (lambda done: None))
    assert work == []
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert audio.is_file() and check_site(out) == []


class BrokenSite(Stage):
    """A show stage that fails after everything else of the build has run."""

    name = "broken-site"
    scope = "show"

    def fingerprint(self, ctx: BuildContext, episode) -> object:
        return None

    def run(self, ctx: BuildContext, episode) -> None:
        raise PublishError("the site could not be uploaded", "try again")


def files(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _built_then_louder(show: Path, out: Path, stages: list) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Build ``show`` into ``out``, then change the loudness target; returns the published files and
    the bookkeeping of that first build."""
    toml = show / "show.toml"
    toml.write_text('categories = ["Technology"]\n' + toml.read_text("utf-8"), encoding="utf-8")
    assert not build(show, out, stages=stages).failed
    toml.write_text(toml.read_text("utf-8") + "\n[mastering]\ntarget = -20\n", encoding="utf-8")
    return files(out), files(out.parent / f".{out.name}.audiokit")


def test_a_show_stage_failing_after_the_episodes_were_built_publishes_nothing(tiny_show, tmp_path):
    stages = [MasterStage(), PublishEpisodeStage(), PublishShowStage()]
    out = tmp_path / "public"
    published, bookkeeping = _built_then_louder(tiny_show, out, stages)
    report = build(tiny_show, out, stages=[*stages, BrokenSite()])
    assert {(r.stage, r.status) for r in report.results} == {
        ("master", "done"),
        ("publish", "done"),
        ("site", "done"),
        ("broken-site", "failed"),
    }
    assert files(out) == published and files(tmp_path / ".public.audiokit") == bookkeeping
    assert check_site(out) == []
    again = build(tiny_show, out, stages=stages)  # nothing of the failed build counts as done
    assert [r.status for r in again.results] == ["done", "done", "done"]
    assert files(out) != published and check_site(out) == []


def test_an_episode_failing_after_its_mastering_keeps_what_was_published_of_it(tiny_show, tmp_path):
    stages = [MasterStage(), PublishEpisodeStage(), PublishShowStage()]
    out = tmp_path / "public"
    published, bookkeeping = _built_then_louder(tiny_show, out, stages)
    toml = tiny_show / "001-erste-folge" / "episode.toml"
    good = toml.read_text("utf-8")
    toml.write_text(
        good + '\n[[chapters]]\nstart = "00:00"\ntitle = "Anfang"\n'
        '\n[[chapters]]\nstart = "00:30"\ntitle = "Nach dem Ende"\n',
        encoding="utf-8",
    )
    report = build(tiny_show, out, stages=stages)
    status = {(r.stage, r.status) for r in report.results}
    assert ("master", "done") in status and ("publish", "failed") in status and ("site", "failed") not in status
    assert "after the end of the audio" in str(report.failed[0].error)
    kept = {name: data for name, data in files(tmp_path / ".public.audiokit").items() if name != "state.json"}
    assert files(out) == published and kept == {n: d for n, d in bookkeeping.items() if n != "state.json"}
    assert check_site(out) == []  # the feed's enclosure is the file that is there
    toml.write_text(good, encoding="utf-8")
    again = build(tiny_show, out, stages=stages)  # the failed episode is built again, mastering included
    assert [r.status for r in again.results][:2] == ["done", "done"] and not again.failed
    assert files(out) != published and check_site(out) == []


def test_the_feed_links_the_audio_that_is_there_when_publishing_the_episode_failed(tmp_path, mp3):
    """The episode stage failed after its mastering changed the format: publish.json names the old file."""
    show = write_show(tmp_path)
    out = tmp_path / "view"  # a build's staging folder, the stages run by hand
    master_all(show, out, mp3)
    ctx = _context(show, out)
    [episode] = ctx.episodes
    PublishEpisodeStage().run(ctx, episode)
    folder = out / SLUG
    opus = folder / f"{SLUG}.opus"
    subprocess.run(
        [find_ffmpeg(), "-v", "error", "-i", str(folder / f"{SLUG}.mp3"), "-c:a", "libopus", str(opus)], check=True
    )
    (folder / f"{SLUG}.mp3").unlink()  # as the master stage removes audio of another format
    master = json.loads((folder / "master.json").read_text("utf-8"))
    (folder / "master.json").write_text(json.dumps({**master, "audio": opus.name, "mime": "audio/ogg"}), "utf-8")
    PublishShowStage().run(ctx, None)
    enclosure = etree.parse(str(out / "feed.xml")).find("channel/item/enclosure")
    assert enclosure.get("url").endswith(f"/{SLUG}/{SLUG}.opus") and enclosure.get("type") == "audio/ogg"
    assert int(enclosure.get("length")) == opus.stat().st_size


def _context(show: Path, out: Path) -> BuildContext:
    loaded = load_show(show)
    return BuildContext(loaded, out, episodes=loaded.episodes())


def test_build_refuses_the_template_placeholders_before_any_work(tmp_path):
    show = write_show(tmp_path, episodes=0)
    folder = new_episode(load_show(show), "Neue Folge")
    write_wav(folder / "aufnahme.wav", np.zeros(8000, np.float32))
    with pytest.raises(ConfigError, match="placeholder 'Worum geht es in dieser Folge") as info:
        build(show, tmp_path / "public")
    assert "draft = true" in info.value.fix
    toml = folder / "episode.toml"
    text = re.sub(r'description = """.*?"""', 'description = "Echt."', toml.read_text("utf-8"), flags=re.S)
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"key 'speakers' still holds the template's placeholder 'Gast Vorname"):
        build(show, tmp_path / "public")
    toml.write_text(text.replace("Gast Vorname Nachname", "Jana Albers"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"placeholder 'Jana Albers \[Organisation\]'"):
        build(show, tmp_path / "public")
    assert not (tmp_path / "public").exists()


def test_check_refuses_placeholders_in_a_published_folder(tmp_path, mp3):
    show = write_show(tmp_path)
    out = tmp_path / "public"
    master_all(show, out, mp3)
    assert not publish(show, out).failed
    assert check_site(out) == []
    page = out / SLUG / "index.html"
    page.write_text(page.read_text("utf-8").replace("Jana Albers", "Gast Vorname Nachname"), encoding="utf-8")
    problems = [str(p) for p in check_site(out)]
    assert any(f"{SLUG}/index.html: contains the template's placeholder 'Gast Vorname Nachname'" in p for p in problems)


def test_a_speaker_renamed_in_the_transcript_is_published_renamed(tmp_path, mp3):
    show = write_show(tmp_path)
    transcript = load(show / SLUG / "transcript.json")
    jana = transcript.speaker("S2")
    jana.name, jana.organisation, jana.source = "Jana Albers-Berg", "MVZ Nordstadt", "editor"
    transcript.save(show / SLUG / "transcript.json")  # as the editor or import-text would
    out = tmp_path / "public"
    master_all(show, out, mp3)
    assert not publish(show, out).failed
    page = (out / SLUG / "index.html").read_text("utf-8")
    people = page[page.index('class="people"') : page.index("</section>", page.index('class="people"'))]
    assert "Jana Albers-Berg</strong>, MVZ Nordstadt" in people and "Praxisgemeinschaft" not in people
    shownotes = (out / SLUG / "shownotes.html").read_text("utf-8")
    assert "Jana Albers-Berg" in shownotes and "Praxisgemeinschaft" not in shownotes
    feed = etree.parse(str(out / "feed.xml"))
    persons = [p.text for p in feed.iter(f"{{{PODCAST_NS}}}person") if p.getparent().tag == "item"]
    assert sorted(persons) == ["Clara Vogt", "Jana Albers-Berg", "Tobias Reimann"]
    assert check_site(out) == []


def test_the_transcript_of_a_bare_audio_file_can_be_exported(tmp_path):
    from audiokit.exports import find_transcript  # new in issue 10

    audio = tmp_path / "interview.wav"
    write_wav(audio, np.zeros(8000, np.float32))
    with pytest.raises(TranscriptError, match="interview.transcript.json is missing") as info:
        find_transcript(audio)
    assert "audiokit transcribe" in info.value.fix
    sample_transcript().save(tmp_path / "interview.transcript.json")
    for target in (audio, tmp_path / "interview.transcript.json"):
        text = export_transcript(load(find_transcript(target)), "txt", timestamps=False)
        assert text.startswith("Clara Vogt [Netzwerk Digitale Gesundheit]:\nHallo und willkommen")
    assert find_transcript(write_show(tmp_path / "s") / SLUG) == tmp_path / "s" / "show" / SLUG / "transcript.json"


def _one_turn_at(start: float) -> Transcript:
    speakers = [TranscriptSpeaker("S1", "Clara Vogt", "Netzwerk Digitale Gesundheit", "host", 1.0, "editor")]
    words = timed_words("Guten Abend und willkommen zur Sendung.", start)
    return Transcript(
        "de",
        60.0,
        speakers,
        [Segment("S1", start, words[-1].end, words)],
        {"audiokit": "test", "created": "2026-11-10T18:00:00+01:00"},
    )


def test_page_and_text_export_show_a_turn_at_the_same_second(tmp_path, mp3):
    show = write_show(tmp_path, chapters=False)
    _one_turn_at(18.95).save(show / SLUG / "transcript.json")
    out = tmp_path / "public"
    master_all(show, out, mp3)
    assert not publish(show, out).failed
    [text_time] = re.findall(r"^\[([\d:]+)\]", (out / SLUG / "transcript.txt").read_text("utf-8"), re.M)
    [page_time] = re.findall(
        r'class="seek ts" data-t="18.95"[^>]*>([^<]+)<', (out / SLUG / "index.html").read_text("utf-8")
    )
    assert text_time == "0:18" and page_time == "0:18"
    html_time = re.findall(r"<time [^>]*>([^<]+)</time>", (out / SLUG / "transcript.html").read_text("utf-8"))
    assert html_time == ["0:18"]


def test_webvtt_voices_and_json_speakers_carry_the_name_alone():
    transcript = sample_transcript()
    voices = set(re.findall(r"<v ([^>]+)>", export_transcript(transcript, "vtt")))
    assert voices == {"Clara Vogt", "Jana Albers", "Tobias Reimann"}
    speakers = {s["speaker"] for s in json.loads(export_transcript(transcript, "json"))["segments"]}
    assert speakers == {"Clara Vogt", "Jana Albers", "Tobias Reimann"}


def test_control_characters_from_a_transcript_or_toml_reach_no_output(tmp_path, mp3):
    show = write_show(tmp_path, episodes=0)
    add_episode(show, 1, chapters=False, title="Folge\u0007 mit Glocke")
    data = json.loads((show / SLUG / "transcript.json").read_text("utf-8"))
    data["speakers"][2]["name"] = "Tobias\u0007 Reimann\u001b"  # as an editor save or import-text left it
    data["segments"][0]["words"][0]["text"] = "Hal\u0000lo\u0007"
    (show / SLUG / "transcript.json").write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "public"
    master_all(show, out, mp3)
    assert not publish(show, out).failed
    published = [p for p in out.rglob("*") if p.suffix in (".txt", ".vtt", ".srt", ".json", ".html", ".xml")]
    assert (out / SLUG / "chapters.json") in published  # proposed from the transcript's speaker names
    for path in published:
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", path.read_text("utf-8")), path
    assert "Im Gespräch mit Tobias Reimann" in (out / SLUG / "chapters.json").read_text("utf-8")
    assert check_site(out) == []
    (out / SLUG / "transcript.txt").write_text("Clara Vogt:\nHal\u0007lo\n", encoding="utf-8")
    assert any("transcript.txt: contains the control character U+0007" in str(p) for p in check_site(out))


def test_title_from_toml_is_stored_without_control_characters(tmp_path):
    show = write_show(tmp_path, episodes=0)
    add_episode(show, 1, title="Folge\u0007 mit\u001b Glocke")
    [episode] = load_show(show).episodes()
    assert episode.title == "Folge mit Glocke"


def test_a_chapter_after_the_end_is_an_error_not_silently_dropped(tmp_path, mp3):
    show = write_show(
        tmp_path,
        chapters=False,
        extra='\n[[chapters]]\nstart = 0\ntitle = "Anfang"\n\n[[chapters]]\nstart = "59:00"\ntitle = "Zu spät"\n',
    )
    out = tmp_path / "public"
    master_all(show, out, mp3)
    [failed] = publish(show, out).failed
    assert isinstance(failed.error, AudiokitError)
    assert "chapter 'Zu spät' starts at 59:00, after the end of the audio (1:20)" in str(failed.error)


def test_import_text_stores_no_control_characters(tmp_path):
    from click.testing import CliRunner

    from audiokit.cli import cli

    show = write_show(tmp_path)
    text = export_transcript(load(show / SLUG / "transcript.json"), "txt", timestamps=False)
    corrected = tmp_path / "korrektur.txt"
    text = text.replace("Hallo und", "Hallo\u0007 und\u0000 nun").replace("Jana Albers", "Jana\u001b Albers")
    corrected.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-text", str(show / SLUG), str(corrected)])
    assert result.exit_code == 0, result.output
    raw = (show / SLUG / "transcript.json").read_text("utf-8")
    assert "Hallo und nun" in " ".join(w["text"] for s in json.loads(raw)["segments"] for w in s["words"])
    assert not re.search(r"\\u00[01][0-8bcef]|\\u001[0-9a-f]|\\u007f", raw)
