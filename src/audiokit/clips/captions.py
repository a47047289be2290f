"""Captions of a clip from the transcript: the words inside the clip on the clip's timeline, grouped
into short pages (a few words of one speaker), written as an ASS file for libass (the current word
highlighted, the speaker's name above) and as SRT/WebVTT sidecars."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..exports import SENTENCE_END, export_transcript
from ..timefmt import clock
from ..transcript import Segment, Transcript, Word
from .layout import ACCENT, TEXT, Layout, font, speaker_lines

PAUSE = 0.7  # seconds of silence that start a new page
MAX_WORDS = 5
LINGER = 0.6  # seconds a page stays after its last word when nothing follows


@dataclass
class ClipWord:
    """A word on the clip's timeline (seconds from the clip's start)."""

    text: str
    start: float
    end: float


@dataclass
class Page:
    """A few words of one speaker (name and organisation) shown together, from ``start`` to ``end`` on the
    clip's timeline."""

    speaker: str
    words: list[ClipWord] = field(default_factory=list)
    start: float = 0.0
    end: float = 0.0
    organisation: str = ""

    def current(self, t: float) -> int:
        """Index of the word spoken (or last spoken) at ``t``."""
        return max((i for i, word in enumerate(self.words) if word.start <= t), default=0)


def clip_transcript(transcript: Transcript, start: float, end: float) -> Transcript:
    """The part of ``transcript`` (recording timeline) whose words lie in ``start``…``end`` (a word
    counts when its middle does), clipped to that range."""
    segments = []
    for segment in transcript.segments:
        words = [
            Word(w.text, max(w.start, start), min(w.end, end), w.probability)
            for w in segment.words
            if w.text.strip() and start <= (w.start + w.end) / 2 < end
        ]
        if words:
            segments.append(Segment(segment.speaker, words[0].start, max(w.end for w in words), words, segment.overlap))
    return Transcript(transcript.language, end - start, transcript.speakers, segments, transcript.provenance)


def pages(transcript: Transcript, start: float, duration: float, max_chars: int) -> list[Page]:
    """The caption pages of ``transcript`` (already cut to the clip), times relative to ``start``.
    A page ends at a speaker change, after a sentence, before a pause of PAUSE seconds, or when
    MAX_WORDS words or ``max_chars`` characters are reached. It stays up until the next one starts
    (LINGER seconds at most after its last word); the first is up from the first frame (the thumbnail)."""
    result: list[Page] = []
    for segment in sorted(transcript.segments, key=lambda s: s.start):
        speaker = transcript.speaker(segment.speaker)
        page: Page | None = None
        for word in segment.words:
            clip_word = ClipWord(" ".join(word.text.split()), word.start - start, word.end - start)
            if page is not None:
                chars = len(" ".join(w.text for w in page.words)) + 1 + len(clip_word.text)
                if (
                    len(page.words) >= MAX_WORDS
                    or chars > max_chars
                    or clip_word.start - page.words[-1].end > PAUSE
                    or page.words[-1].text.endswith(SENTENCE_END)
                ):
                    page = None
            if page is None:
                page = Page(speaker.name, organisation=speaker.organisation)
                result.append(page)
            page.words.append(clip_word)
    for page, following in zip(result, result[1:] + [None]):
        page.start = 0.0 if page is result[0] else max(0.0, page.words[0].start)
        last = page.words[-1].end + LINGER
        page.end = min(last, following.words[0].start) if following else last
        page.end = max(min(page.end, duration), page.start + 0.04)
    return result


def _ass_colour(rgb: tuple[int, int, int]) -> str:
    r, g, b = rgb
    return f"&H00{b:02X}{g:02X}{r:02X}"


def _ass_text(text: str) -> str:
    """Text that libass shows as it is: no override blocks, no line-break escapes."""
    return text.replace("\\", "\u2216").replace("{", "(").replace("}", ")")


def ass(pages_: list[Page], layout: Layout) -> str:
    """An ASS subtitle script drawing ``pages_`` into the layout's caption box, one event per word so
    that the word being spoken is highlighted, and the speaker's name and organisation in the box above."""
    family = font(10).getname()[0]
    speaker, captions = layout.speaker, layout.captions
    white, accent = _ass_colour(TEXT), _ass_colour(ACCENT)
    lines = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {layout.width}",
        f"PlayResY: {layout.height}",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
        "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, "
        "MarginR, MarginV, Encoding",
        f"Style: Caption,{family},{layout.caption_size},{white},{white},&H00000000,&H80000000,-1,0,0,0,100,100,0,0,"
        f"1,4,0,8,{captions.x},{layout.width - captions.x - captions.w},{captions.y},1",
        f"Style: Speaker,{family},{round(layout.caption_size * 0.6)},{accent},{accent},&H00000000,&H80000000,0,0,0,0,"
        f"100,100,0,0,1,3,0,8,{speaker.x},{layout.width - speaker.x - speaker.w},{speaker.y},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    for page in pages_:
        shown = f"{clock(page.start, 2)},{clock(page.end, 2)}"
        for line in speaker_lines(layout, page.speaker, page.organisation):
            colour = _ass_colour(line.fill)
            text = f"{{\\fs{line.size}\\c{colour}}}{_ass_text(line.text)}"
            lines.append(f"Dialogue: 0,{shown},Speaker,,0,0,{line.y},,{text}")
        for i, word in enumerate(page.words):
            shown_from = page.start if i == 0 else word.start
            shown_to = page.words[i + 1].start if i + 1 < len(page.words) else page.end
            if shown_to <= shown_from:
                continue
            text = " ".join(
                f"{{\\c{accent}}}{_ass_text(w.text)}{{\\c{white}}}" if j == i else _ass_text(w.text)
                for j, w in enumerate(page.words)
            )
            lines.append(f"Dialogue: 1,{clock(shown_from, 2)},{clock(shown_to, 2)},Caption,,0,0,0,,{text}")
    return "\n".join(lines) + "\n"


def sidecars(transcript: Transcript, start: float) -> dict[str, str]:
    """SRT and WebVTT of ``transcript`` (already cut to the clip), times relative to ``start``."""
    return {fmt: export_transcript(transcript, fmt, offset=-start) for fmt in ("srt", "vtt")}
