"""Editor logic without a browser: re-timing, the editing operations and the version history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audiokit import transcript as transcript_mod
from audiokit.editor.align import align
from audiokit.editor.history import ChangedOnDisk, History
from audiokit.editor.operations import EditError, apply
from audiokit.glossary import load_glossary
from audiokit.transcript import Word
from audiokit.transcript_text import to_text
from helpers_editor import long_transcript, transcript_for, words_in
from synth import Turn

OLD = words_in("Bei uns läuft die E-Pa seit dem Frühjahr", 2.0, 6.0)


def texts(words: list[Word]) -> list[str]:
    return [w.text for w in words]


def assert_ordered(words: list[Word], lo: float, hi: float) -> None:
    for w in words:
        assert lo <= w.start <= w.end <= hi
    for a, b in zip(words, words[1:]):
        assert a.end <= b.start + 1e-9


def test_unchanged_words_keep_exact_times_and_a_replacement_takes_the_old_span() -> None:
    new = "Bei uns läuft die ePA seit dem Frühjahr".split()
    result = align(OLD, new, start=2.0, end=6.0)
    assert texts(result.words) == new
    for k, (old, w) in enumerate(zip(OLD, result.words)):
        assert (w.start, w.end) == (old.start, old.end), k
    assert result.words[4].probability == 1.0 and result.words[3].probability == OLD[3].probability
    assert result.source == list(range(len(OLD)))


def test_case_and_punctuation_fixes_count_as_unchanged() -> None:
    result = align(OLD, "bei uns läuft, die E-Pa seit dem Frühjahr.".split(), start=2.0, end=6.0)
    assert [w.probability for w in result.words] == [w.probability for w in OLD]
    assert result.words[2].text == "läuft," and result.words[2].start == OLD[2].start


def test_inserted_words_fill_the_gap_and_a_longer_replacement_spreads_over_the_old_span() -> None:
    new = "Bei uns in der Praxis läuft die elektronische Patientenakte seit dem Frühjahr".split()
    result = align(OLD, new, start=2.0, end=6.0)
    assert texts(result.words) == new
    assert_ordered(result.words, 2.0, 6.0)
    kept = {OLD[i].text: result.words[k] for k, i in enumerate(result.source) if i is not None}
    for old in OLD:
        if old.text != "E-Pa":
            assert (kept[old.text].start, kept[old.text].end) == (old.start, old.end)
    inserted = result.words[2:5]
    assert all(OLD[1].end <= w.start and w.end <= OLD[2].start for w in inserted)
    spread = result.words[7:9]
    assert spread[0].start == OLD[4].start and spread[-1].end == OLD[4].end
    assert result.source[7] is None and result.source[2] is None


def test_words_inserted_at_the_edges_stay_inside_the_turn() -> None:
    result = align(OLD, ["Also,"] + texts(OLD) + ["oder?"], start=1.5, end=6.5)
    assert_ordered(result.words, 1.5, 6.5)
    assert result.words[0].end <= OLD[0].start and result.words[-1].start >= OLD[-1].end


def test_deleting_words_keeps_the_others() -> None:
    result = align(OLD, ["Bei", "uns", "Frühjahr"], start=2.0, end=6.0)
    assert [(w.start, w.end) for w in result.words] == [(OLD[i].start, OLD[i].end) for i in (0, 1, 7)]


# -- operations -----------------------------------------------------------------------------------


@pytest.fixture
def sample() -> transcript_mod.Transcript:
    turns = [
        Turn("S1", "Hallo und willkommen zur Runde.", 0.5, 3.0),
        Turn("S2", "Danke. Die E-Pa läuft gut. Die E-Pa ist da.", 3.5, 8.0),
        Turn("S1", "Schön zu hören.", 8.5, 10.0),
    ]
    return transcript_for(turns, 11.0)


def test_edit_retimes_inside_the_turn_and_empty_text_removes_it(sample, tmp_path: Path) -> None:
    ids = [s.id for s in sample.segments]
    label = apply(
        sample, {"op": "edit", "segment": ids[1], "text": "Danke! Die ePA läuft wirklich gut."}, show_dir=tmp_path
    )
    seg = sample.segments[1]
    assert seg.text == "Danke! Die ePA läuft wirklich gut." and "Absatz 2" in label
    assert_ordered(seg.words, seg.start, seg.end)
    assert sample.provenance["edited"]
    apply(sample, {"op": "edit", "segment": ids[2], "text": "  "}, show_dir=tmp_path)
    assert len(sample.segments) == 2 and [s.id for s in sample.segments] == ids[:2]


def test_rename_reassign_split_merge(sample, tmp_path: Path) -> None:
    t = sample
    ids = [s.id for s in t.segments]
    apply(t, {"op": "rename", "speaker": "S2", "name": "Jana Albers", "organisation": "Praxis Nord"}, show_dir=tmp_path)
    assert t.speaker("S2").label == "Jana Albers [Praxis Nord]" and t.speaker("S2").source == "editor"
    assert "Jana Albers [Praxis Nord]:" in to_text(t) and "Sprecher 2" not in to_text(t)

    apply(t, {"op": "reassign", "segment": ids[2], "name": "Tobias Reimann", "organisation": ""}, show_dir=tmp_path)
    new_id = t.segments[2].speaker
    assert t.speaker(new_id).name == "Tobias Reimann" and new_id not in ("S1", "S2")
    apply(t, {"op": "reassign", "segment": ids[2], "speaker": "S1"}, show_dir=tmp_path)
    assert t.segments[2].speaker == "S1"

    words = list(t.segments[1].words)
    apply(t, {"op": "split", "segment": ids[1], "word": 5}, show_dir=tmp_path)
    first, second = t.segments[1], t.segments[2]
    assert first.words + second.words == words and first.end == words[4].end and second.start == words[5].start
    assert first.id == ids[1] and second.id not in ids  # the first part keeps the id, the second gets a new one
    apply(t, {"op": "merge", "segment": ids[1]}, show_dir=tmp_path)
    assert t.segments[1].words == words and len(t.segments) == 3 and [s.id for s in t.segments] == ids
    transcript_mod.validate(t.to_dict())

    for bad, message in (
        ({"op": "split", "segment": ids[1], "word": 0}, "turn 2 cannot be split before word 0 — put the cursor"),
        ({"op": "merge", "segment": ids[2]}, "turn 3 is the last one — there is no next turn to merge with"),
        ({"op": "edit", "segment": 9, "text": "x"}, "there is no turn 9 — reload the editor"),
        ({"op": "edit", "segment": "t9", "text": "x"}, "there is no turn 't9' — reload the editor"),
        ({"op": "rename", "speaker": "S1", "name": ""}, "rename: 'name' must be a non-empty text — enter a name"),
        ({"op": "explode"}, "unknown operation 'explode' — use one of: edit, rename, reassign, split, merge"),
        ({"op": "split", "segment": "1", "word": 2}, "there is no turn '1' — reload the editor"),
    ):
        with pytest.raises(EditError, match=f"^{message}"):
            apply(t, bad, show_dir=tmp_path)


def test_renaming_to_another_speakers_name_merges_them(sample, tmp_path: Path) -> None:
    label = apply(
        sample,
        {"op": "rename", "speaker": "S2", "name": "Clara Vogt", "organisation": "Netzwerk Digitale Gesundheit"},
        show_dir=tmp_path,
    )
    assert {s.speaker for s in sample.segments} == {"S1"} and [s.id for s in sample.speakers] == ["S1"]
    assert "zusammengeführt" in label


def test_replace_always_goes_into_the_show_glossary_and_fixes_every_turn(sample, tmp_path: Path) -> None:
    before = [(w.start, w.end) for w in sample.segments[1].words]
    label = apply(sample, {"op": "replace_always", "wrong": "E-Pa", "right": "ePA"}, show_dir=tmp_path)
    assert load_glossary(tmp_path).replacements == {"E-Pa": "ePA"} and "ePA" in load_glossary(tmp_path).terms
    assert sample.segments[1].text == "Danke. Die ePA läuft gut. Die ePA ist da." and "(1 Absätze)" in label
    assert [(w.start, w.end) for w in sample.segments[1].words] == before


# -- history --------------------------------------------------------------------------------------


def test_history_undo_redo_restore_survive_a_restart(sample, tmp_path: Path) -> None:
    path = tmp_path / "transcript.json"
    sample.save(path)
    history = History(path)
    t, etag = history.load()
    assert [v.label for v in history.versions()] == ["Ausgangsstand"]
    label = apply(
        t, {"op": "edit", "segment": t.segments[0].id, "text": "Hallo und herzlich willkommen."}, show_dir=tmp_path
    )
    assert history.load()[0] == sample  # load gives a private copy
    etag2 = history.commit(t, label, expected=etag)
    t.segments[0].words[0].text = "changed after the commit"
    assert history.load()[0].segments[0].text == "Hallo und herzlich willkommen."
    assert transcript_mod.load(path).segments[0].text == "Hallo und herzlich willkommen."

    again = History(path)  # a new process
    assert again.head() == 2
    etag3 = again.undo(expected=etag2)
    assert etag3 == etag and transcript_mod.load(path) == sample
    again.redo(expected=etag3)
    assert transcript_mod.load(path).segments[0].text == "Hallo und herzlich willkommen."
    again.restore(1, expected=again.etag())
    assert transcript_mod.load(path) == sample and again.versions()[-1].label == "Version 1 wiederhergestellt"
    assert again.snapshot(2).segments[0].text == "Hallo und herzlich willkommen."
    with pytest.raises(
        transcript_mod.TranscriptError, match="version 99 is not in the history — pick one of the listed"
    ):
        History(path).restore(99, expected=None)


def test_a_file_changed_on_disk_is_detected_and_kept_as_a_version(sample, tmp_path: Path) -> None:
    path = tmp_path / "transcript.json"
    sample.save(path)
    history = History(path)
    t, etag = history.load()
    outside = json.loads(path.read_text("utf-8"))
    outside["segments"][0]["words"][0]["text"] = "Hallöchen"
    path.write_text(json.dumps(outside), "utf-8")  # another program, in place
    with pytest.raises(ChangedOnDisk, match=r"transcript\.json was changed meanwhile") as caught:
        history.commit(t, "stale", expected=etag)
    assert caught.value.etag == history.etag() != etag
    assert transcript_mod.load(path).words[0].text == "Hallöchen"
    assert history.load()[0].words[0].text == "Hallöchen"
    assert history.versions()[-1].label == "Außerhalb des Editors geändert"


def test_a_change_interrupted_before_the_transcript_was_replaced_recovers(sample, tmp_path: Path, monkeypatch) -> None:
    """Kill between 'snapshot and index written' and 'transcript replaced': the file is the old version."""
    path = tmp_path / "transcript.json"
    sample.save(path)
    history = History(path)
    t, etag = history.load()
    label = apply(t, {"op": "merge", "segment": t.segments[0].id}, show_dir=tmp_path)
    from audiokit.editor import history as history_mod

    real = history_mod.atomic.write_bytes

    def dies_on_transcript(target: Path, data: bytes) -> None:
        if Path(target) == path:
            raise KeyboardInterrupt  # stands for the kill
        real(target, data)

    monkeypatch.setattr(history_mod.atomic, "write_bytes", dies_on_transcript)
    with pytest.raises(KeyboardInterrupt):
        history.commit(t, label, expected=etag)
    monkeypatch.undo()
    fresh = History(path)
    loaded, etag_after = fresh.load()
    assert loaded == sample and etag_after == etag and fresh.head() == 1
    fresh.redo(expected=etag_after)  # the interrupted change is not lost either
    assert len(transcript_mod.load(path).segments) == 2


def test_history_keeps_a_bounded_number_of_versions(tmp_path: Path, monkeypatch) -> None:
    from audiokit.editor import history as history_mod

    monkeypatch.setattr(history_mod, "MAX_VERSIONS", 5)
    path = tmp_path / "transcript.json"
    t = long_transcript(4, 10)
    t.save(path)
    history = History(path)
    _, etag = history.load()
    for k in range(8):
        label = apply(t, {"op": "edit", "segment": t.segments[0].id, "text": f"Version {k}"}, show_dir=tmp_path)
        etag = history.commit(t, label, expected=etag)
    assert [v.n for v in history.versions()] == [5, 6, 7, 8, 9]
    assert len(list(history.folder.glob("v*.json.gz"))) == 5
