// audiokit transcript editor: renders the transcript as speaker turns, follows the audio and
// sends every change to the local server, which re-times the words and saves a new version.
// Turns are named by their segment id. The server answers a change with what changed, and only
// those turns are redrawn. Typing, split and merge show at once: the turns they touch are held
// (not redrawn) until the server has answered, and a turn being typed in keeps its text.
"use strict";

const TOKEN = document.querySelector('meta[name="audiokit-token"]').content;
const $ = (id) => document.getElementById(id);
const audio = $("audio");
const transcript = $("transcript");

let state = null;            // etag, history, episode and exports, as the server last said
let speakers = new Map();    // speaker id -> speaker with its colour number k
let speakersSeen = "";
const segs = new Map();      // segment id -> the segment as the server last said, with `after` (the id before it)
let timeline = [];           // every word {start, end, el}, sorted by start
const wordOf = new WeakMap(); // word span -> its entry in timeline
let active = null;           // the highlighted word
let queue = Promise.resolve();
let pending = 0;
const dirty = new Set();     // text elements with changes not sent yet
const held = new Map();      // turn -> how many changes shown here already are on their way
let saveTimer = null;
let caretMoved = false;
let cuts = [];               // every cut {id, start, end, reason, applied}, as the server last said
let review = "unreviewed";   // the transcript's review state, as the server last said
let doubt = null;            // the uncertain word last gone to (F8)

// ---------------------------------------------------------------- server

async function fetchState() {
  const res = await fetch("/api/state", { headers: { "X-Audiokit-Token": TOKEN }, cache: "no-store" });
  const data = await res.json();
  if (!res.ok) throw new Error(data.error);
  return data;
}

function enqueue(task) {
  pending++;
  status();
  queue = queue.then(task).catch(fail).finally(() => { pending--; status(); });
  return queue;
}

/** A turn's segment id in JSON, read when the operation is sent (a split in flight names the new turn). */
const idOf = (turn) => ({ toJSON: () => turn.dataset.id });

/** Hold ``turns`` (not redrawn) while a change the page shows already is on its way; ``release`` when answered. */
function hold(turns) {
  for (const turn of turns) held.set(turn, (held.get(turn) || 0) + 1);
}

function release(turns) {
  for (const turn of turns) if (held.set(turn, held.get(turn) - 1).get(turn) === 0) held.delete(turn);
}

/** Send ``op``, whose effect the page shows on the held turns ``ahead`` already; ``check(data)`` is false
 * when the page went another way than the server (it is then reloaded). */
async function send(op, ahead = [], check = () => true) {
  const res = await fetch("/api/op", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Audiokit-Token": TOKEN, "If-Match": `"${state.etag}"` },
    body: JSON.stringify(op),
  });
  const data = await res.json();
  if (res.status === 409) {
    dirty.clear();
    banner("Das Transkript wurde inzwischen außerhalb dieses Fensters geändert. "
           + "Bitte neu laden und die Änderung wiederholen.", "Neu laden", () => reload().catch(fail));
    throw null;
  }
  if (!res.ok) {
    if (ahead.length) await reload();
    throw new Error(data.error + (data.fix ? ` — ${data.fix}` : ""));
  }
  release(ahead);
  if (check(data)) patch(data);
  else await reload();
}

/** Send the text of every changed turn, then ``op`` (if any), in order. */
function run(op, ahead = [], check) {
  clearTimeout(saveTimer);
  for (const el of [...dirty]) {
    dirty.delete(el);
    const turn = el.closest(".turn");
    const text = el.textContent;
    hold([turn]);
    enqueue(() => {
      const seg = segs.get(turn.dataset.id);
      if (seg && norm(text) !== norm(seg.text)) return send({ op: "edit", segment: seg.id, text }, [turn]);
      release([turn]);
    });
  }
  if (op) {
    hold(ahead);
    enqueue(() => send(op, ahead, check));
  }
  status();
  return queue;
}

async function reload() {
  const data = await fetchState();
  dirty.clear();
  held.clear();
  render(data);
  hideBanner();
}

function fail(error) {
  if (error) banner(error.message || String(error));
}

// ---------------------------------------------------------------- rendering

const norm = (text) => text.split(/\s+/).filter(Boolean).join(" ");
const hue = (k) => (k * 137 + 205) % 360;
const turnOf = (id) => transcript.querySelector(`.turn[data-id="${CSS.escape(id)}"]`);

// audiokit.timefmt.timestamp: milliseconds rounded, then floored; m:ss under an hour, h:mm:ss from one
function clock(seconds) {
  const whole = Math.floor(Math.max(0, Math.round(seconds * 1000)) / 1000);
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor(whole / 60) % 60, whole % 60];
  const rest = `${h ? String(m).padStart(2, "0") : m}:${String(s).padStart(2, "0")}`;
  return h ? `${h}:${rest}` : rest;
}

function node(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

function button(cls, text, title = "") {
  const b = node("button", cls, text);
  b.type = "button";
  b.title = title;
  return b;
}

/** The whole transcript, on load and reload; the focus stays in its turn. */
function render(data) {
  const el = editing() ? document.activeElement : null;
  const focus = el && { id: el.closest(".turn").dataset.id, at: caretOffset(el) };
  state = data;
  segs.clear();
  let after = null;
  for (const seg of data.transcript.segments) {
    segs.set(seg.id, { ...seg, after });
    after = seg.id;
  }
  setSpeakers(data.transcript.speakers);
  cuts = data.transcript.cuts || [];
  review = data.transcript.review;
  $("title").textContent = state.episode.title;
  $("show").textContent = state.episode.show;
  document.title = `${state.episode.title} – audiokit Editor`;
  transcript.replaceChildren(...data.transcript.segments.map(renderTurn));
  renderExports();
  refresh();
  const turn = focus && turnOf(focus.id);
  if (turn) restoreFocus(turn, focus.at);
}

/** Apply the answer to a change: redraw only the turns that changed, and move those that moved. */
function patch(data) {
  state = { ...state, etag: data.etag, history: data.history };
  const renamed = setSpeakers(data.speakers);
  if (data.cuts) cuts = data.cuts;
  if (data.review) review = data.review;
  for (const id of data.removed) {
    segs.delete(id);
    turnOf(id)?.remove();
  }
  for (const seg of data.changed) {
    const known = segs.get(seg.id);
    segs.set(seg.id, seg);
    if ([...held.keys()].some((turn) => turn.dataset.id === seg.id)) continue;
    let turn = turnOf(seg.id);
    if (turn && known && JSON.stringify(known.words) === JSON.stringify(seg.words)) setMeta(turn, seg);
    else turn = redraw(turn, seg);
    if (!known || known.after !== seg.after || !turn.isConnected) place(turn, seg.after);
  }
  if (renamed) {
    for (const turn of transcript.children) if (segs.has(turn.dataset.id)) setMeta(turn, segs.get(turn.dataset.id));
  }
  refresh();
}

/** ``turn`` (if any) drawn anew for ``seg``; a text being typed in stays, and so does the caret. */
function redraw(turn, seg) {
  const text = turn && turn.querySelector(".text");
  if (text && dirty.has(text)) {
    setMeta(turn, seg);
    return turn;
  }
  const fresh = renderTurn(seg);
  if (!turn) return fresh;
  const focused = document.activeElement === text;
  const at = focused ? caretOffset(text) : null;
  turn.replaceWith(fresh);
  if (focused) restoreFocus(fresh, at);
  return fresh;
}

/** Put ``turn`` right after the turn ``after`` (null: first), unless that one is held. */
function place(turn, after) {
  const before = after === null ? null : turnOf(after);
  if (after !== null && !before) return;
  if (before ? before.nextElementSibling !== turn : transcript.firstElementChild !== turn) {
    if (before) before.after(turn);
    else transcript.prepend(turn);
  }
}

/** Index the words on the page and redraw the side panel. */
function refresh() {
  timeline = [...transcript.querySelectorAll(".w")].map((span) => wordOf.get(span)).filter(Boolean);
  timeline.sort((a, b) => a.start - b.start);
  if (active && !active.el.isConnected) active = null;
  renderSpeakers();
  renderVersions();
  renderCuts();
  renderReview();
  $("undo").disabled = !state.history.can_undo;
  $("redo").disabled = !state.history.can_redo;
  highlight();
  status();
}

/** Take the speakers the server sent; true when they changed. */
function setSpeakers(list) {
  const seen = JSON.stringify(list);
  speakers = new Map(list.map((s, k) => [s.id, { ...s, k }]));
  const changed = seen !== speakersSeen;
  speakersSeen = seen;
  return changed;
}

function label(s) {
  return s.organisation ? `${s.name} [${s.organisation}]` : s.name;
}

function textElement() {
  const text = node("div", "text");
  text.contentEditable = "plaintext-only";
  text.spellcheck = true;
  text.lang = "de";
  return text;
}

function renderTurn(seg) {
  const turn = node("article", "turn");
  turn.dataset.id = seg.id;
  const text = textElement();
  seg.words.forEach((w, k) => {
    if (k) text.append(" ");
    const span = node("span", w.uncertain ? "w low" : "w", w.text);
    wordOf.set(span, { start: w.start, end: w.end, el: span });
    text.append(span);
  });
  turn.append(node("div", "meta"), text);
  setMeta(turn, seg);
  return turn;
}

/** The speaker, time and tools of ``turn``. */
function setMeta(turn, seg) {
  turn.style.setProperty("--hue", hue(speakers.get(seg.speaker).k));
  const who = node("select", "who");
  who.title = "Redebeitrag einer anderen Person zuordnen";
  for (const s of speakers.values()) who.append(new Option(label(s), s.id, false, s.id === seg.speaker));
  who.append(new Option("Neue Person …", ""));
  const tools = node("span", "tools");
  tools.append(button("split", "Teilen", "Am Cursor teilen (Enter)"),
               button("merge", "Zusammenführen ↓", "Mit dem nächsten Redebeitrag zusammenführen"));
  const time = button("time", clock(seg.start), "Hierher springen");
  const overlap = seg.overlap ? [node("span", "overlap", "überlappend")] : [];
  turn.querySelector(".meta").replaceChildren(who, time, ...overlap, tools);
}

function renderSpeakers() {
  const box = $("speakers");
  if (box.contains(document.activeElement)) return; // do not disturb typing; redrawn on focusout
  const counts = new Map();
  for (const seg of segs.values()) counts.set(seg.speaker, (counts.get(seg.speaker) || 0) + 1);
  box.replaceChildren(...[...speakers.values()].map((s) => {
    const row = node("div", "speaker");
    row.style.setProperty("--hue", hue(s.k));
    const name = node("input", "name");
    name.value = s.name;
    name.setAttribute("aria-label", "Name");
    name.required = true;
    const org = node("input", "org");
    org.value = s.organisation || "";
    org.placeholder = "Organisation";
    org.setAttribute("aria-label", "Organisation");
    // Rename once the row is left (or on Enter), so name and organisation make one version.
    let sent = `${s.name}\n${s.organisation || ""}`;
    const commit = () => {
      if (!name.value.trim()) { name.value = s.name; return; }
      const wanted = `${norm(name.value)}\n${norm(org.value)}`;
      if (wanted !== sent) {
        sent = wanted;
        run({ op: "rename", speaker: s.id, name: name.value, organisation: org.value });
      }
    };
    row.addEventListener("focusout", (e) => { if (!row.contains(e.relatedTarget)) commit(); });
    row.addEventListener("keydown", (e) => { if (e.key === "Enter") commit(); });
    row.dataset.speaker = s.id;
    row.append(node("span", "dot"), name, org, node("span", "count", `${counts.get(s.id) || 0} Beiträge`));
    return row;
  }));
}

const REASONS = { edit: "Schnitt", filler: "Füllwort", pause: "Pause", cough: "Husten" };

/** The cut holding recording time ``t`` (the middle of a word), or null. */
function cutAt(t) {
  return cuts.find((c) => c.start <= t && t < c.end) || null;
}

/** Strike through the words of applied cuts, mark those of proposals, and list the cuts. */
function renderCuts() {
  for (const w of timeline) {
    const c = cutAt((w.start + w.end) / 2);
    w.el.classList.toggle("cut", Boolean(c && c.applied));
    w.el.classList.toggle("proposed", Boolean(c && !c.applied));
  }
  $("accept-all").disabled = !cuts.some((c) => !c.applied);
  $("cuts").replaceChildren(...cuts.map((c) => {
    const li = node("li", c.applied ? "applied" : "proposed");
    li.dataset.cut = c.id;
    const what = node("span", "what", `${clock(c.start)} ${REASONS[c.reason] || c.reason} `
                      + `(${(c.end - c.start).toFixed(1).replace(".", ",")} s)`);
    what.title = "Hierher springen";
    what.addEventListener("click", () => seek(Math.max(0, c.start - 1)));
    li.append(what);
    if (c.applied) {
      const back = button("take-back", "Zurücknehmen", "Die Stelle wieder hörbar machen");
      back.addEventListener("click", () => run(c.reason === "edit" ? { op: "remove_cut", cut: c.id }
                                                                   : { op: "set_cut", cut: c.id, applied: false }));
      li.append(back);
    } else {
      const yes = button("accept", "Übernehmen");
      yes.addEventListener("click", () => run({ op: "set_cut", cut: c.id, applied: true }));
      const no = button("reject", "Verwerfen");
      no.addEventListener("click", () => run({ op: "remove_cut", cut: c.id }));
      li.append(yes, no);
    }
    return li;
  }));
}

/** Cut the words selected on the page (across turns too). */
function cutSelection() {
  const sel = getSelection();
  if (!sel.rangeCount || sel.isCollapsed) {
    banner("Zum Schneiden Wörter im Transkript markieren.");
    return;
  }
  const range = sel.getRangeAt(0);
  const picked = timeline.filter((w) => range.intersectsNode(w.el));
  if (!picked.length) {
    banner("Zum Schneiden Wörter im Transkript markieren.");
    return;
  }
  sel.removeAllRanges();
  run({ op: "cut", start: picked[0].start, end: Math.max(...picked.map((w) => w.end)) });
}

function renderVersions() {
  const h = state.history;
  $("versions").replaceChildren(...h.versions.slice(0, 100).map((v) => {
    const li = node("li", v.n === h.head ? "current" : "");
    li.append(node("span", "label", `${v.n}. ${v.label}`), node("time", "", new Date(v.time).toLocaleString("de-DE")));
    if (v.n === h.head) {
      li.append(node("span", "here", "aktuell"));
    } else {
      const b = button("restore", "Wiederherstellen");
      b.addEventListener("click", () => run({ op: "restore", version: v.n }));
      li.append(b);
    }
    return li;
  }));
}

// ---------------------------------------------------------------- review

/** The review button and state, and the count of uncertain words (with the position of the one gone to). */
function renderReview() {
  const done = review === "reviewed";
  $("review").textContent = done ? "Als ungeprüft markieren" : "Als geprüft markieren";
  $("review-state").textContent = done ? "✓ geprüft" : "ungeprüft";
  $("review-state").classList.toggle("ok", done);
  const marks = [...transcript.querySelectorAll(".w.low")];
  const at = marks.indexOf(doubt);
  const count = `${marks.length} ${marks.length === 1 ? "unsicheres Wort" : "unsichere Wörter"}`;
  $("uncertain-count").textContent = at >= 0 ? `${at + 1} von ${count}` : count;
  $("prev-uncertain").disabled = $("next-uncertain").disabled = !marks.length;
}

/** Go to the next (``step`` 1) or previous (-1) uncertain word after the last one gone to, or the caret:
 * play from it and select it, so that typing replaces it. */
function gotoUncertain(step) {
  const marks = [...transcript.querySelectorAll(".w.low")];
  if (!marks.length) return;
  const from = doubt && doubt.isConnected ? doubt : caretWord()?.el;
  let target;
  if (!from) target = step > 0 ? marks[0] : marks[marks.length - 1];
  else if (step > 0) target = marks.find((m) => from.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING);
  else target = marks.findLast((m) => from.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_PRECEDING);
  target = target || (step > 0 ? marks[0] : marks[marks.length - 1]);  // wrap around
  doubt?.classList.remove("current");
  doubt = target;
  target.classList.add("current");
  const entry = wordOf.get(target);
  if (entry) seek(entry.start);
  target.closest(".text").focus();
  const range = document.createRange();
  range.selectNodeContents(target);
  const sel = getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  caretMoved = false;
  target.scrollIntoView({ block: "center" });
  renderReview();
}

function renderExports() {
  $("exports").replaceChildren(...state.exports.map((fmt) => {
    const a = node("a", "", fmt.toUpperCase());
    a.href = `/api/export/${fmt}`;
    a.setAttribute("download", "");
    return a;
  }));
}

function status() {
  const el = $("status");
  el.className = "status";
  if (pending) el.textContent = "Speichert …";
  else if (dirty.size) el.textContent = "Ungespeicherte Änderung …";
  else { el.textContent = "Alles gespeichert"; el.classList.add("ok"); }
}

function banner(message, action, handler) {
  const el = $("banner");
  const close = button("close", "×");
  close.addEventListener("click", hideBanner);
  el.replaceChildren(node("span", "", message));
  if (action) {
    const b = button("", action);
    b.addEventListener("click", handler);
    el.append(b);
  }
  el.append(close);
  el.hidden = false;
}

function hideBanner() {
  $("banner").hidden = true;
}

// ---------------------------------------------------------------- caret

function caretOffset(el) {
  const sel = getSelection();
  if (!sel.rangeCount || !el.contains(sel.focusNode)) return null;
  const range = document.createRange();
  range.selectNodeContents(el);
  range.setEnd(sel.focusNode, sel.focusOffset);
  return range.toString().length;
}

/** The DOM position ``offset`` characters into ``el``. */
function point(el, offset) {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let left = offset;
  let last = null;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    last = n;
    if (left <= n.length) return [n, left];
    left -= n.length;
  }
  return last ? [last, last.length] : [el, 0];
}

function placeCaret(el, offset) {
  getSelection().collapse(...point(el, offset));
}

function restoreFocus(turn, offset) {
  const el = turn.querySelector(".text");
  el.focus({ preventScroll: true });
  if (offset !== null) placeCaret(el, offset);
}

/** The word at the caret: the span holding it, else the next word of the turn. */
function caretWord() {
  const sel = getSelection();
  if (!sel.rangeCount) return null;
  let n = sel.focusNode;
  const span = n && (n.nodeType === 1 ? n : n.parentElement).closest(".w");
  if (span) return wordOf.get(span) || null;
  const text = n && (n.nodeType === 1 ? n : n.parentElement).closest(".text");
  if (!text) return null;
  for (const s of text.querySelectorAll(".w")) {
    const range = document.createRange();
    range.selectNode(s);
    if (range.comparePoint(n, sel.focusOffset) <= 0) return wordOf.get(s) || null;
  }
  return null;
}

/** Split the turn of ``el`` before the word at the caret: on the page at once, then on the server. */
function splitAtCaret(el) {
  const offset = caretOffset(el);
  const starts = [...el.textContent.matchAll(/\S+/g)].map((m) => m.index);
  const at = offset === null ? 0 : starts.filter((s) => s < offset).length;
  if (at <= 0 || at >= starts.length) {
    banner("Zum Teilen den Cursor zwischen zwei Wörter setzen.");
    return;
  }
  const turn = el.closest(".turn");
  const part = node("article", "turn");
  run({ op: "split", segment: idOf(turn), word: at }, [turn, part], (data) => {
    const made = data.changed.find((s) => s.after === turn.dataset.id && !segs.has(s.id));
    if (made) part.dataset.id = made.id;
    return Boolean(made);
  });
  const rest = document.createRange();
  rest.setStart(...point(el, starts[at]));
  rest.setEnd(el, el.childNodes.length);
  const text = textElement();
  text.append(rest.extractContents());
  part.style.cssText = turn.style.cssText;
  part.append(turn.querySelector(".meta").cloneNode(true), text);
  turn.after(part);
  restoreFocus(part, 0);
}

/** Merge ``turn`` with the next one: on the page at once, then on the server. */
function mergeWithNext(turn) {
  const next = turn.nextElementSibling;
  if (!next) return;
  run({ op: "merge", segment: idOf(turn) }, [turn, next], (data) => data.removed.includes(next.dataset.id));
  const text = turn.querySelector(".text");
  const from = next.querySelector(".text");
  const junction = text.textContent.length + 1;
  const caretThere = document.activeElement === from;
  text.append(" ", ...from.childNodes);
  next.remove();
  if (caretThere) restoreFocus(turn, junction);
}

// ---------------------------------------------------------------- playback

function seek(seconds) {
  audio.currentTime = Math.max(0, seconds);
  highlight();
}

function togglePlay() {
  if (audio.paused) {
    if (caretMoved) {
      const w = caretWord();
      if (w) audio.currentTime = w.start;
    }
    caretMoved = false;
    audio.play().catch(fail);
  } else {
    audio.pause();
  }
}

function editing() {
  return document.activeElement && document.activeElement.classList.contains("text");
}

/** Highlight the word being spoken: the last one started, while it lasts (plus a short pause). */
function highlight() {
  const t = audio.currentTime;
  let lo = 0;
  let hi = timeline.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (timeline[mid].start <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  const skip = !audio.paused && cuts.find((c) => c.applied && c.start <= t && t < c.end - 0.02);
  if (skip) audio.currentTime = skip.end;  // play as published: the cuts are left out
  const word = found >= 0 && t <= timeline[found].end + 0.5 ? timeline[found] : null;
  if (word !== active) {
    if (active) active.el.classList.remove("active");
    if (word) word.el.classList.add("active");
    active = word;
    if (word && !audio.paused && $("follow").checked && !editing()) {
      const r = word.el.getBoundingClientRect();
      const top = document.querySelector(".bar").getBoundingClientRect().bottom;
      if (r.top < top || r.bottom > innerHeight) word.el.scrollIntoView({ block: "center", behavior: "smooth" });
    }
  }
  $("clock").textContent = clock(t);
  $("play").textContent = audio.paused ? "▶ Abspielen" : "❚❚ Pause";
}

function tick() {
  highlight();
  if (!audio.paused) requestAnimationFrame(tick);
}

/** The turn being edited, else the one being played. */
function currentTurn() {
  if (editing()) return document.activeElement.closest(".turn");
  if (active) return active.el.closest(".turn");
  let found = null;
  for (const turn of transcript.children) if (segs.get(turn.dataset.id)?.start <= audio.currentTime) found = turn;
  return found;
}

function seekTurn(turn) {
  const seg = segs.get(turn.dataset.id);
  if (seg) seek(seg.start);
}

function gotoTurn(step) {
  const here = currentTurn();
  const next = here && (step < 0 ? here.previousElementSibling : here.nextElementSibling);
  const turn = next || here || transcript.firstElementChild;
  if (!turn) return;
  seekTurn(turn);
  restoreFocus(turn, 0);
  caretMoved = false;
  turn.scrollIntoView({ block: "center" });
}

function reassign(turn, select) {
  if (select.value) {
    run({ op: "reassign", segment: idOf(turn), speaker: select.value });
    return;
  }
  const name = (prompt("Name der Person, die hier spricht:") || "").trim();
  if (name) run({ op: "reassign", segment: idOf(turn), name, organisation: "" });
  else select.value = segs.get(turn.dataset.id)?.speaker ?? "";
}

// ---------------------------------------------------------------- events

transcript.addEventListener("mousedown", (e) => {
  if (e.target.closest(".split")) e.preventDefault(); // keep the caret
});

transcript.addEventListener("click", (e) => {
  const span = e.target.closest(".w");
  const turn = e.target.closest(".turn");
  if (span && wordOf.has(span)) seek(wordOf.get(span).start);
  else if (e.target.closest(".time")) seekTurn(turn);
  else if (e.target.closest(".split")) splitAtCaret(turn.querySelector(".text"));
  else if (e.target.closest(".merge")) mergeWithNext(turn);
});

transcript.addEventListener("change", (e) => {
  if (e.target.matches(".who")) reassign(e.target.closest(".turn"), e.target);
});

transcript.addEventListener("input", (e) => {
  const el = e.target.closest(".text");
  if (!el) return;
  dirty.add(el);
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => run(), 800);
  status();
});

transcript.addEventListener("focusout", (e) => {
  if (e.target.classList.contains("text") && dirty.has(e.target)) run();
});

transcript.addEventListener("mouseup", () => {
  const picked = getSelection().toString().trim();
  if (picked && !picked.includes("\n")) $("wrong").value = picked;
});

transcript.addEventListener("keydown", (e) => {
  const el = e.target.closest(".text");
  if (!el) return;
  const turn = el.closest(".turn");
  const sel = getSelection();
  if (e.key === "Enter") {
    e.preventDefault();
    splitAtCaret(el);
  } else if (e.key === "Backspace" && sel.isCollapsed && caretOffset(el) === 0 && turn.previousElementSibling) {
    e.preventDefault();
    mergeWithNext(turn.previousElementSibling);
  } else if (e.key === "Delete" && sel.isCollapsed && caretOffset(el) === el.textContent.length
             && turn.nextElementSibling) {
    e.preventDefault();
    mergeWithNext(turn);
  }
});

transcript.addEventListener("keyup", (e) => {
  if (/^(Arrow|Home|End|Page)/.test(e.key) && !e.altKey) caretMoved = true;
});

document.addEventListener("keydown", (e) => {
  const typing = e.target.matches("input, select, textarea, .text");
  const ctrl = e.ctrlKey || e.metaKey;
  const inField = e.target.matches("input");  // name fields keep their own undo
  const key = e.key.toLowerCase();
  let handled = true;
  if (e.key === "Escape" || (ctrl && e.code === "Space") || (e.code === "Space" && !typing)) togglePlay();
  else if (e.altKey && e.key === "ArrowLeft") seek(audio.currentTime - 5);
  else if (e.altKey && e.key === "ArrowRight") seek(audio.currentTime + 5);
  else if (e.altKey && e.key === "ArrowUp") gotoTurn(-1);
  else if (e.altKey && e.key === "ArrowDown") gotoTurn(1);
  else if (e.key === "F8") gotoUncertain(e.shiftKey ? -1 : 1);
  else if (ctrl && key === "s") run();
  else if (ctrl && e.key === "Delete") cutSelection();
  else if (ctrl && !inField && (key === "y" || (key === "z" && e.shiftKey))) run({ op: "redo" });
  else if (ctrl && !inField && key === "z") run({ op: "undo" });
  else handled = false;
  if (handled) e.preventDefault();
});

$("speakers").addEventListener("focusout", () => setTimeout(() => state && renderSpeakers(), 0));

$("play").addEventListener("click", togglePlay);
$("back").addEventListener("click", () => seek(audio.currentTime - 5));
$("forward").addEventListener("click", () => seek(audio.currentTime + 5));
$("undo").addEventListener("click", () => run({ op: "undo" }));
$("cut").addEventListener("mousedown", (e) => e.preventDefault()); // keep the selection
$("cut").addEventListener("click", cutSelection);
$("accept-all").addEventListener("click", () => run({ op: "set_cut", cut: "all", applied: true }));
$("redo").addEventListener("click", () => run({ op: "redo" }));
for (const [id, step] of [["next-uncertain", 1], ["prev-uncertain", -1]]) {
  $(id).addEventListener("mousedown", (e) => e.preventDefault()); // keep the caret
  $(id).addEventListener("click", () => gotoUncertain(step));
}
$("review").addEventListener("click", () => run({ op: "review", reviewed: review !== "reviewed" }));
$("rate").addEventListener("change", (e) => {
  audio.playbackRate = Number(e.target.value);
  localStorage.setItem("audiokit-rate", e.target.value);
});
$("replace").addEventListener("submit", (e) => {
  e.preventDefault();
  run({ op: "replace_always", wrong: $("wrong").value, right: $("right").value }).then(() => {
    if (!dirty.size && !pending) banner(`Gespeichert: ${state.history.versions[0].label}`);
  });
});

audio.addEventListener("play", () => requestAnimationFrame(tick));
for (const type of ["pause", "seeked", "timeupdate", "loadedmetadata"]) audio.addEventListener(type, highlight);
audio.addEventListener("ratechange", () => { $("rate").value = String(audio.playbackRate); });
audio.addEventListener("error", () => banner("Die Aufnahme kann nicht abgespielt werden."));
addEventListener("beforeunload", (e) => { if (dirty.size || pending) e.preventDefault(); });

(async () => {
  const rate = localStorage.getItem("audiokit-rate");
  if (rate) { audio.playbackRate = Number(rate); $("rate").value = rate; }
  try {
    render(await fetchState());
  } catch (error) {
    banner(error.message);
  }
})();
