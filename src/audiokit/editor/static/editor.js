// audiokit transcript editor: renders the transcript as speaker turns, follows the audio and
// sends every change to the local server, which re-times the words and saves a new version.
"use strict";

const TOKEN = document.querySelector('meta[name="audiokit-token"]').content;
const $ = (id) => document.getElementById(id);
const audio = $("audio");

let state = null;            // the last answer of /api/state
let timeline = [];           // every word {start, end, el, turn}, sorted by start
const wordOf = new WeakMap(); // word span -> its entry in timeline
let active = null;           // the highlighted word
let queue = Promise.resolve();
let pending = 0;
const dirty = new Set();     // text elements with changes not sent yet
let saveTimer = null;
let caretMoved = false;
let rendering = false;

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

async function send(op) {
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
  if (!res.ok) throw new Error(data.error + (data.fix ? ` — ${data.fix}` : ""));
  state = data;
  render();
}

/** Send the text of every changed turn, then ``op`` (if any), in order. */
function run(op) {
  clearTimeout(saveTimer);
  for (const el of [...dirty]) {
    dirty.delete(el);
    const turn = Number(el.closest(".turn").dataset.i);
    const text = el.textContent;
    if (norm(text) !== norm(state.transcript.segments[turn].text)) {
      enqueue(() => send({ op: "edit", segment: turn, text }));
    }
  }
  if (op) enqueue(() => send(op));
  status();
  return queue;
}

async function reload() {
  dirty.clear();
  state = await fetchState();
  hideBanner();
  render();
}

function fail(error) {
  if (error) banner(error.message || String(error));
}

// ---------------------------------------------------------------- rendering

const norm = (text) => text.split(/\s+/).filter(Boolean).join(" ");
const hue = (k) => (k * 137 + 205) % 360;

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, "0")).join(":");
}

function node(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

function render() {
  rendering = true;
  const focus = captureFocus();
  const t = state.transcript;
  const speakers = new Map(t.speakers.map((s, k) => [s.id, { ...s, k }]));
  $("title").textContent = state.episode.title;
  $("show").textContent = state.episode.show;
  document.title = `${state.episode.title} – audiokit Editor`;
  timeline = [];
  active = null;
  $("transcript").replaceChildren(...t.segments.map((seg, i) => renderTurn(seg, i, speakers)));
  timeline.sort((a, b) => a.start - b.start);
  renderSpeakers(speakers);
  renderVersions();
  renderExports();
  $("undo").disabled = !state.history.can_undo;
  $("redo").disabled = !state.history.can_redo;
  restoreFocus(focus);
  highlight();
  status();
  rendering = false;
}

function label(s) {
  return s.organisation ? `${s.name} [${s.organisation}]` : s.name;
}

function renderTurn(seg, i, speakers) {
  const turn = node("article", "turn");
  turn.dataset.i = i;
  turn.style.setProperty("--hue", hue(speakers.get(seg.speaker).k));
  const meta = node("div", "meta");
  const who = node("select", "who");
  who.title = "Redebeitrag einer anderen Person zuordnen";
  for (const s of speakers.values()) who.append(new Option(label(s), s.id, false, s.id === seg.speaker));
  who.append(new Option("Neue Person …", ""));
  who.addEventListener("change", () => reassign(i, who));
  const time = node("button", "time", clock(seg.start));
  time.type = "button";
  time.title = "Hierher springen";
  time.addEventListener("click", () => seek(seg.start));
  const split = node("button", "split", "Teilen");
  split.type = "button";
  split.title = "Am Cursor teilen (Enter)";
  split.addEventListener("mousedown", (e) => e.preventDefault()); // keep the caret
  split.addEventListener("click", () => splitAtCaret(text));
  const merge = node("button", "merge", "Zusammenführen ↓");
  merge.type = "button";
  merge.title = "Mit dem nächsten Redebeitrag zusammenführen";
  merge.disabled = i === state.transcript.segments.length - 1;
  merge.addEventListener("click", () => run({ op: "merge", segment: i }));
  const tools = node("span", "tools");
  tools.append(split, merge);
  meta.append(who, time, ...(seg.overlap ? [node("span", "overlap", "überlappend")] : []), tools);
  const text = node("div", "text");
  text.contentEditable = "plaintext-only";
  text.spellcheck = true;
  text.lang = "de";
  seg.words.forEach((w, k) => {
    if (k) text.append(" ");
    const span = node("span", w.probability < 0.6 ? "w low" : "w", w.text);
    const entry = { start: w.start, end: w.end, el: span, turn: i };
    wordOf.set(span, entry);
    timeline.push(entry);
    text.append(span);
  });
  turn.append(meta, text);
  return turn;
}

function renderSpeakers(speakers) {
  const box = $("speakers");
  if (box.contains(document.activeElement)) return; // do not disturb typing; redrawn on focusout
  const counts = new Map();
  for (const seg of state.transcript.segments) counts.set(seg.speaker, (counts.get(seg.speaker) || 0) + 1);
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

function renderVersions() {
  const h = state.history;
  $("versions").replaceChildren(...h.versions.slice(0, 100).map((v) => {
    const li = node("li", v.n === h.head ? "current" : "");
    li.append(node("span", "label", `${v.n}. ${v.label}`), node("time", "", new Date(v.time).toLocaleString("de-DE")));
    if (v.n === h.head) {
      li.append(node("span", "here", "aktuell"));
    } else {
      const b = node("button", "restore", "Wiederherstellen");
      b.type = "button";
      b.addEventListener("click", () => run({ op: "restore", version: v.n }));
      li.append(b);
    }
    return li;
  }));
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
  const close = node("button", "close", "×");
  close.type = "button";
  close.addEventListener("click", hideBanner);
  el.replaceChildren(node("span", "", message));
  if (action) {
    const b = node("button", "", action);
    b.type = "button";
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

function placeCaret(el, offset) {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let left = offset;
  let last = null;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    last = n;
    if (left <= n.length) { getSelection().collapse(n, left); return; }
    left -= n.length;
  }
  if (last) getSelection().collapse(last, last.length);
  else getSelection().collapse(el, 0);
}

function captureFocus() {
  const el = document.activeElement;
  if (!el || !el.classList.contains("text")) return null;
  return { turn: el.closest(".turn").dataset.i, offset: caretOffset(el), text: el.textContent, dirty: dirty.has(el) };
}

function restoreFocus(focus) {
  if (!focus) return;
  const el = document.querySelector(`.turn[data-i="${focus.turn}"] .text`);
  if (!el) return;
  if (focus.dirty) { el.textContent = focus.text; dirty.add(el); }
  el.focus({ preventScroll: true });
  if (focus.offset !== null) placeCaret(el, focus.offset);
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

function splitAtCaret(el) {
  const offset = caretOffset(el);
  const turn = Number(el.closest(".turn").dataset.i);
  const text = el.textContent;
  const starts = [...text.matchAll(/\S+/g)].map((m) => m.index);
  const at = offset === null ? 0 : starts.filter((s) => s < offset).length;
  if (at <= 0 || at >= starts.length) {
    banner("Zum Teilen den Cursor zwischen zwei Wörter setzen.");
    return;
  }
  run({ op: "split", segment: turn, word: at });
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

function currentTurn() {
  const el = document.activeElement;
  if (el && el.classList.contains("text")) return Number(el.closest(".turn").dataset.i);
  if (active) return active.turn;
  const t = audio.currentTime;
  const segs = state.transcript.segments;
  let k = -1;
  segs.forEach((s, i) => { if (s.start <= t) k = i; });
  return k;
}

function gotoTurn(step) {
  const segs = state.transcript.segments;
  const i = Math.min(segs.length - 1, Math.max(0, currentTurn() + step));
  const el = document.querySelector(`.turn[data-i="${i}"] .text`);
  if (!el) return;
  seek(segs[i].start);
  el.focus({ preventScroll: true });
  placeCaret(el, 0);
  caretMoved = false;
  el.closest(".turn").scrollIntoView({ block: "center" });
}

function reassign(i, select) {
  if (select.value) {
    run({ op: "reassign", segment: i, speaker: select.value });
    return;
  }
  const name = (prompt("Name der Person, die hier spricht:") || "").trim();
  if (name) run({ op: "reassign", segment: i, name, organisation: "" });
  else select.value = state.transcript.segments[i].speaker;
}

// ---------------------------------------------------------------- events

const transcript = $("transcript");

transcript.addEventListener("click", (e) => {
  const span = e.target.closest(".w");
  if (span && wordOf.has(span)) seek(wordOf.get(span).start);
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
  if (e.target.classList.contains("text") && dirty.has(e.target) && !rendering) run();
});

transcript.addEventListener("mouseup", () => {
  const picked = getSelection().toString().trim();
  if (picked && !picked.includes("\n")) $("wrong").value = picked;
});

transcript.addEventListener("keydown", (e) => {
  const el = e.target.closest(".text");
  if (!el) return;
  const turn = Number(el.closest(".turn").dataset.i);
  const sel = getSelection();
  if (e.key === "Enter") {
    e.preventDefault();
    splitAtCaret(el);
  } else if (e.key === "Backspace" && sel.isCollapsed && caretOffset(el) === 0 && turn > 0) {
    e.preventDefault();
    run({ op: "merge", segment: turn - 1 });
  } else if (e.key === "Delete" && sel.isCollapsed && caretOffset(el) === el.textContent.length
             && turn < state.transcript.segments.length - 1) {
    e.preventDefault();
    run({ op: "merge", segment: turn });
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
  else if (ctrl && key === "s") run();
  else if (ctrl && !inField && (key === "y" || (key === "z" && e.shiftKey))) run({ op: "redo" });
  else if (ctrl && !inField && key === "z") run({ op: "undo" });
  else handled = false;
  if (handled) e.preventDefault();
});

$("speakers").addEventListener("focusout", () => setTimeout(() => state && renderSpeakers(
  new Map(state.transcript.speakers.map((s, k) => [s.id, { ...s, k }]))), 0));

$("play").addEventListener("click", togglePlay);
$("back").addEventListener("click", () => seek(audio.currentTime - 5));
$("forward").addEventListener("click", () => seek(audio.currentTime + 5));
$("undo").addEventListener("click", () => run({ op: "undo" }));
$("redo").addEventListener("click", () => run({ op: "redo" }));
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
    state = await fetchState();
    render();
  } catch (error) {
    banner(error.message);
  }
})();
