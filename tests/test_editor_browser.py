"""The editor in a real browser (Debian's Chromium, headless, driven by Playwright)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from audiokit import transcript as transcript_mod
from audiokit.editor import EditorServer, open_episode, operations
from audiokit.exports import EXPORT_FORMATS, export_transcript
from audiokit.glossary import load_glossary
from audiokit.timeline import Cut
from audiokit.transcript_text import to_text
from helpers_editor import make_show, open_editor_page

pytestmark = pytest.mark.slow


@pytest.fixture
def editor(tmp_path: Path, browser):
    """(page, server, episode folder, original transcript) with the editor loaded."""
    episode, transcript = make_show(tmp_path / "show")
    with EditorServer(open_episode(episode)).start() as server:
        context, page, errors = open_editor_page(browser, server.url)
        yield page, server, episode, transcript
        context.close()
        assert not errors


def saved(episode: Path) -> transcript_mod.Transcript:
    return transcript_mod.load(episode / "transcript.json")


def versions(page) -> int:
    return page.evaluate("state.history.versions.length")


def wait_saved(page, count: int) -> None:
    """Wait until the editor holds ``count`` versions and has nothing left to send."""
    page.wait_for_function(f"() => state.history.versions.length >= {count} && !pending && dirty.size === 0")


def turn(page, i: int):
    """The ``i``-th turn on the page."""
    return page.locator("#transcript > .turn").nth(i)


def word(page, i: int, k: int):
    return turn(page, i).locator(".w").nth(k)


POSITION = "el => [...document.querySelectorAll('#transcript > .turn')].indexOf(el.closest('.turn'))"


def current_time(page) -> float:
    return page.evaluate("document.getElementById('audio').currentTime")


def test_click_a_word_seeks_there_and_the_keyboard_moves_the_player(editor) -> None:
    page, _, _, transcript = editor
    target = transcript.segments[1].words[4]
    word(page, 1, 4).click()
    assert current_time(page) == pytest.approx(target.start, abs=0.002)
    assert word(page, 1, 4).get_attribute("class") == "w active"
    assert page.locator(".w.active").count() == 1

    page.keyboard.press("Alt+ArrowRight")
    assert current_time(page) == pytest.approx(target.start + 5, abs=0.002)
    page.keyboard.press("Alt+ArrowLeft")
    page.keyboard.press("Alt+ArrowLeft")
    assert current_time(page) == pytest.approx(target.start - 5, abs=0.002)
    page.keyboard.press("Alt+ArrowDown")  # the cursor is in turn 1: go to turn 2
    assert current_time(page) == pytest.approx(transcript.segments[2].start, abs=0.002)
    assert page.evaluate(f"({POSITION})(document.activeElement)") == 2
    page.keyboard.press("Alt+ArrowUp")
    page.keyboard.press("Alt+ArrowUp")
    assert current_time(page) == pytest.approx(transcript.segments[0].start, abs=0.002)

    word(page, 1, 4).click()  # play starts at a cursor moved with the keyboard: into word 5
    word(page, 1, 4).evaluate("el => getSelection().collapse(el.firstChild, el.textContent.length)")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert transcript.segments[1].words[5].start <= current_time(page) < transcript.segments[1].words[5].start + 2

    page.select_option("#rate", "1.5")
    assert page.evaluate("document.getElementById('audio').playbackRate") == 1.5


def test_playback_highlights_the_word_being_spoken(editor) -> None:
    page, _, _, transcript = editor
    word(page, 0, 2).click()  # put the cursor (and the player) into the first turn
    page.keyboard.press("Escape")  # play
    page.wait_for_function("() => document.getElementById('audio').currentTime > 2.5", timeout=20000)
    page.keyboard.press("Escape")  # pause
    assert page.evaluate("document.getElementById('audio').paused")
    t = current_time(page)
    spoken = [
        (i, k) for i, s in enumerate(transcript.segments) for k, w in enumerate(s.words) if w.start <= t <= w.end + 0.5
    ]
    active = page.evaluate(f"""() => {{
        const el = document.querySelector('.w.active');
        return [({POSITION})(el), [...el.closest('.turn').querySelectorAll('.w')].indexOf(el)];
    }}""")
    assert tuple(active) == spoken[-1]


def test_editing_a_word_saves_it_with_sensible_timings(editor) -> None:
    page, _, episode, transcript = editor
    n = versions(page)
    old = transcript.segments[1].words
    wrong = next(k for k, w in enumerate(old) if w.text == "E-Pa")
    span = word(page, 1, wrong)
    span.click()
    span.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " getSelection().removeAllRanges(); getSelection().addRange(r); }"
    )
    page.keyboard.type("ePA wirklich")  # a fix and a new word
    page.locator("#title").click()  # leaving the text saves at once
    wait_saved(page, n + 1)

    words = saved(episode).segments[1].words
    assert [w.text for w in words] == [w.text for w in old[:wrong]] + ["ePA", "wirklich"] + [
        w.text for w in old[wrong + 1 :]
    ]
    for w, o in zip(words[:wrong] + words[wrong + 2 :], old[:wrong] + old[wrong + 1 :]):
        assert (w.start, w.end) == (o.start, o.end)
    fixed, new = words[wrong], words[wrong + 1]
    assert old[wrong].start <= fixed.start < fixed.end <= new.start < new.end <= old[wrong].end
    assert turn(page, 1).locator(".text").inner_text().count("ePA wirklich") == 1


def test_renaming_a_speaker_changes_every_turn_and_every_export(editor) -> None:
    page, _, episode, transcript = editor
    n = versions(page)
    row = page.locator('.speaker[data-speaker="S2"]')
    row.locator(".name").fill("Jana Albers")
    row.locator(".org").fill("Praxisgemeinschaft Nordstadt")
    row.locator(".org").press("Enter")
    page.locator("#title").click()
    wait_saved(page, n + 1)

    label = "Jana Albers [Praxisgemeinschaft Nordstadt]"
    turns_of_s2 = [i for i, s in enumerate(transcript.segments) if s.speaker == "S2"]
    shown = [turn(page, i).locator(".who option:checked").inner_text() for i in turns_of_s2]
    assert shown == [label] * len(turns_of_s2) and len(shown) == 2
    result = saved(episode)
    assert result.speaker("S2").label == label
    assert to_text(result).count(label + ":") == 2 and "Sprecher 2" not in to_text(result)
    for fmt in EXPORT_FORMATS:
        text = export_transcript(result, fmt)
        assert "Jana Albers" in text and "Sprecher 2" not in text, fmt
        href = page.locator(".exports a", has_text=fmt.upper()).get_attribute("href")  # the editor's own links
        download = page.evaluate("async h => { const r = await fetch(h); return [r.status, await r.text()]; }", href)
        assert download[0] == 200 and download[1] == text


def test_split_merge_and_reassign_persist(editor) -> None:
    page, _, episode, transcript = editor
    n = versions(page)
    first = turn(page, 0).locator(".text")
    word(page, 0, 3).click()
    word(page, 0, 3).evaluate("el => getSelection().collapse(el.firstChild, 0)")  # cursor before word 4
    page.keyboard.press("Enter")
    wait_saved(page, n + 1)
    result = saved(episode)
    assert len(result.segments) == len(transcript.segments) + 1
    assert result.segments[0].words == transcript.segments[0].words[:3]
    assert result.segments[1].words == transcript.segments[0].words[3:]

    page.reload()
    page.wait_for_selector(".turn .w")
    assert page.locator(".turn").count() == len(transcript.segments) + 1
    second = turn(page, 1).locator(".text")
    second.click()
    second.evaluate("el => getSelection().collapse(el.querySelector('.w').firstChild, 0)")
    page.keyboard.press("Backspace")  # at the start of a turn: merge with the one before
    wait_saved(page, n + 2)
    assert saved(episode).segments == transcript.segments

    turn(page, 2).locator(".merge").click()
    wait_saved(page, n + 3)
    turn(page, 1).locator(".who").select_option("S1")
    wait_saved(page, n + 4)
    result = saved(episode)
    assert len(result.segments) == 3 and result.segments[1].speaker == "S1"
    assert result.segments[2].words == transcript.segments[2].words + transcript.segments[3].words
    assert first.is_visible()

    page.locator("#undo").click()  # the version history: back one step, survives a reload
    wait_saved(page, n + 4)
    page.reload()
    page.wait_for_selector(".turn .w")
    assert turn(page, 1).locator(".who option:checked").inner_text() == "Sprecher 2"
    assert saved(episode).segments[1].speaker == "S2"

    page.click("summary:has-text('Versionen')")  # any earlier version can be restored
    page.locator("#versions li", has_text="Ausgangsstand").get_by_role("button", name="Wiederherstellen").click()
    wait_saved(page, n + 5)
    assert saved(episode) == transcript
    assert page.locator(".turn").count() == len(transcript.segments)


class Held:
    """An editing operation held on the server until released, so that the browser's request stays in flight."""

    def __init__(self, monkeypatch, name: str) -> None:
        self.operation = operations.OPERATIONS[name]
        self.arrived, self.released = threading.Event(), threading.Event()
        monkeypatch.setitem(operations.OPERATIONS, name, self)

    def __call__(self, *args):
        self.arrived.set()
        self.released.wait(60)
        return self.operation(*args)


def texts(page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator("#transcript > .turn .text").all_inner_texts()]


def test_typing_during_an_in_flight_split_and_merge_stays_in_its_turn(editor, monkeypatch) -> None:
    page, _, episode, transcript = editor
    n = versions(page)
    before = [s.text for s in transcript.segments]
    ids = [s.id for s in transcript.segments]
    words = [w.text for w in transcript.segments[0].words]
    first, second = " ".join(words[:3]), "Nun " + " ".join(words[3:])

    split, typed = Held(monkeypatch, "split"), Held(monkeypatch, "edit")
    word(page, 0, 3).click()
    word(page, 0, 3).evaluate("el => getSelection().collapse(el.firstChild, 0)")  # cursor before word 4
    page.keyboard.press("Enter")
    assert split.arrived.wait(30)  # the split is on the server, not answered yet
    page.keyboard.type("Nun ")  # the cursor is at the start of the new turn already
    assert texts(page) == [first, second, *before[1:]]
    page.wait_for_function("() => pending === 2")  # the typed text waits behind the split
    split.released.set()
    assert typed.arrived.wait(30)  # the split is answered, the typed text on its way
    assert texts(page) == [first, second, *before[1:]]
    typed.released.set()
    wait_saved(page, n + 2)
    result = saved(episode)
    assert [s.text for s in result.segments] == [first, second, *before[1:]]
    assert result.segments[0].words == transcript.segments[0].words[:3] and result.segments[0].id == ids[0]
    assert result.segments[2:] == transcript.segments[1:]  # no neighbouring turn changed
    made, split_first = result.segments[1].id, result.segments[0]
    assert made not in ids and texts(page) == [s.text for s in result.segments]

    merge, typed = Held(monkeypatch, "merge"), Held(monkeypatch, "edit")
    word(page, 2, 0).click()
    word(page, 2, 0).evaluate("el => getSelection().collapse(el.firstChild, 0)")
    page.keyboard.press("Backspace")  # at the start of a turn: merge with the one before
    assert merge.arrived.wait(30)
    page.keyboard.type("Ja, ")  # the cursor is where the two turns meet
    merged = f"{second} Ja, {before[1]}"
    assert texts(page) == [first, merged, *before[2:]]
    page.wait_for_function("() => pending === 2")
    merge.released.set()
    assert typed.arrived.wait(30)
    assert texts(page) == [first, merged, *before[2:]]
    typed.released.set()
    wait_saved(page, n + 4)
    result = saved(episode)
    assert [s.text for s in result.segments] == [first, merged, *before[2:]]
    assert [s.id for s in result.segments] == [ids[0], made, *ids[2:]]
    assert result.segments[0] == split_first and result.segments[2:] == transcript.segments[2:]
    assert texts(page) == [s.text for s in result.segments]
    assert page.evaluate("document.activeElement.closest('.turn').dataset.id") == made  # the cursor stayed


def test_always_replace_fixes_the_transcript_and_the_show_glossary(editor) -> None:
    page, _, episode, _ = editor
    n = versions(page)
    page.fill("#wrong", "E-Pa")
    page.fill("#right", "ePA")
    page.click("#replace button")
    wait_saved(page, n + 1)
    assert load_glossary(episode.parent).replacements == {"E-Pa": "ePA"}
    assert "ePA" in saved(episode).segments[1].text and "E-Pa" not in to_text(saved(episode))
    assert "ePA" in turn(page, 1).locator(".text").inner_text()
    page.keyboard.press("Control+z")
    wait_saved(page, n + 1)
    page.wait_for_function("() => state.history.can_redo")
    assert "E-Pa" in saved(episode).segments[1].text


def test_a_file_changed_outside_the_editor_is_not_overwritten(editor) -> None:
    page, _, episode, _ = editor
    outside = saved(episode)
    outside.segments[2].words[0].text = "Sagen"
    outside.save(episode / "transcript.json")
    text = turn(page, 0).locator(".text")
    text.click()
    page.keyboard.press("End")
    page.keyboard.type(" Prima.")
    page.locator("#title").click()
    banner = page.locator("#banner")
    banner.wait_for(state="visible")
    assert "außerhalb dieses Fensters geändert" in banner.inner_text()
    assert saved(episode) == outside
    banner.get_by_role("button", name="Neu laden").click()
    page.wait_for_function("() => document.querySelectorAll('.turn')[2].querySelector('.w').textContent === 'Sagen'")
    assert banner.is_hidden() and "Prima." not in text.inner_text()


def test_cut_selected_words_strikes_them_through_and_undo_brings_them_back(editor) -> None:
    page, _, episode, transcript = editor
    words = transcript.segments[1].words
    start = versions(page)
    page.evaluate("""() => {
        const spans = document.querySelectorAll('#transcript > .turn')[1].querySelectorAll('.w');
        const range = document.createRange();
        range.setStart(spans[2].firstChild, 1);
        range.setEnd(spans[4].firstChild, 2);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""")
    page.locator("#cut").click()
    wait_saved(page, start + 1)
    cuts = saved(episode).cuts
    assert [(c.start, c.end, c.reason, c.applied) for c in cuts] == [(words[2].start, words[4].end, "edit", True)]
    assert [word(page, 1, k).evaluate("el => el.classList.contains('cut')") for k in range(1, 6)] == [
        False,
        True,
        True,
        True,
        False,
    ]
    assert "Schnitt" in page.locator("#cuts li").inner_text()
    page.locator("#undo").click()
    page.wait_for_function("() => !document.querySelector('.w.cut') && !pending")
    assert saved(episode).cuts == [] and page.locator("#cuts li").count() == 0


def test_the_filler_panel_accepts_rejects_and_takes_back_proposals(editor) -> None:
    page, _, episode, transcript = editor
    outside = saved(episode)
    w = transcript.segments[2].words[1]
    outside.cuts += [Cut("c1", w.start, w.end, "filler", applied=False), Cut("c2", 0.0, 0.3, "pause", applied=False)]
    outside.save(episode / "transcript.json")
    page.reload()
    page.wait_for_selector("#cuts li")
    assert page.locator("#cuts li").count() == 2 and word(page, 2, 1).get_attribute("class") == "w proposed"
    row = page.locator('#cuts li[data-cut="c1"]')
    assert "Füllwort" in row.inner_text()
    row.get_by_role("button", name="Übernehmen").click()
    page.wait_for_function("() => document.querySelector('#cuts li[data-cut=\"c1\"]').className === 'applied'")
    assert word(page, 2, 1).get_attribute("class") == "w cut" and saved(episode).cut("c1").applied
    page.locator('#cuts li[data-cut="c2"]').get_by_role("button", name="Verwerfen").click()
    page.wait_for_function("() => document.querySelectorAll('#cuts li').length === 1")
    page.locator('#cuts li[data-cut="c1"]').get_by_role("button", name="Zurücknehmen").click()
    page.wait_for_function("() => document.querySelector('#cuts li').className === 'proposed'")
    assert [(c.id, c.applied) for c in saved(episode).cuts] == [("c1", False)]


def test_the_browser_gets_403_without_the_token(editor, browser) -> None:
    _, server, episode, transcript = editor
    context = browser.new_context()
    page = context.new_page()
    for path in ("/", "/api/state", "/audio"):
        response = page.goto(f"http://127.0.0.1:{server.port}{path}")
        assert response.status == 403
    response = page.goto(f"http://127.0.0.1:{server.port}/?token=guessed")
    assert response.status == 403
    # a page from another origin cannot write, even with a body the server would understand
    page.goto("about:blank")
    status = page.evaluate(
        """async (url) => {
        try {
            const body = JSON.stringify({op: 'merge', segment: 0});
            const r = await fetch(url, {method: 'POST', mode: 'no-cors', body});
            return r.type;
        } catch (e) { return 'blocked'; }
    }""",
        f"http://127.0.0.1:{server.port}/api/op",
    )
    assert status in ("opaque", "blocked")
    context.close()
    assert json.loads((episode / "transcript.json").read_text("utf-8")) == transcript.to_dict()


def test_a_multitrack_episode_plays_its_mixdown(tmp_path: Path, browser, monkeypatch) -> None:
    monkeypatch.setenv("AUDIOKIT_CACHE_DIR", str(tmp_path / "cache"))
    episode, transcript = make_show(tmp_path / "show", multitrack=True)
    with EditorServer(open_episode(episode)).start() as server:
        page = browser.new_page()
        page.goto(server.url)
        page.wait_for_function("() => document.getElementById('audio').readyState >= 1")
        assert page.evaluate("document.getElementById('audio').duration") == pytest.approx(transcript.duration, abs=0.1)
        word(page, 3, 2).click()
        assert current_time(page) == pytest.approx(transcript.segments[3].words[2].start, abs=0.002)
        page.wait_for_function("() => document.getElementById('audio').seekable.end(0) > 10")
        page.close()
