/* audiokit site: copy the feed address; episode page: share the current second (#t=), seek on chapters and timestamps, follow playback, one player at a time, search the transcript
   (text, speaker names and organisations; matches in the text are marked). */
function wholeSeconds(seconds) {  // audiokit.timefmt.whole_seconds: milliseconds rounded, then floored
  return Math.floor(Math.max(0, Math.round(seconds * 1000)) / 1000);
}
function formatTime(seconds) {  // audiokit.timefmt.timestamp: m:ss under an hour, h:mm:ss from one
  var whole = wholeSeconds(seconds), hours = Math.floor(whole / 3600), minutes = Math.floor(whole / 60) % 60;
  var rest = (minutes < 10 && hours ? "0" : "") + minutes + ":" + (whole % 60 < 10 ? "0" : "") + (whole % 60);
  return hours ? hours + ":" + rest : rest;
}
(function () {
  "use strict";
  document.addEventListener("play", function (event) {  // one player at a time: the others pause
    document.querySelectorAll("audio, video").forEach(function (media) {
      if (media !== event.target) media.pause();
    });
  }, true);
  function copy(input) {  // the clipboard where the page may use it, else the text selected for Ctrl+C
    var status = document.querySelector("[data-status='" + input.id + "']");
    function say(text) { if (status) status.textContent = text; }
    input.focus();
    input.select();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(function () { say("Kopiert"); },
        function () { say(document.execCommand("copy") ? "Kopiert" : "Markiert: mit Strg+C kopieren"); });
    } else {
      say(document.execCommand("copy") ? "Kopiert" : "Markiert: mit Strg+C kopieren");
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (button) copy(document.getElementById(button.getAttribute("data-copy")));
  });

  var player = document.getElementById("player");
  if (!player) return;

  var share = document.querySelector("[data-share]");
  if (share) share.addEventListener("click", function () {  // the page's public address, #t= the second heard now
    var base = share.getAttribute("data-share") || window.location.href.split("#")[0];
    var input = document.getElementById("stelle");
    input.value = base + "#t=" + wholeSeconds(player.currentTime);
    var shown = document.querySelector("[data-share-time]");
    if (shown) shown.textContent = formatTime(player.currentTime);
    input.closest(".share").hidden = false;
    copy(input);
  });

  function seek(seconds) {
    player.currentTime = seconds;
    var playing = player.play();
    if (playing && playing.catch) playing.catch(function () {});
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-t]");
    if (!target) return;
    event.preventDefault();
    seek(parseFloat(target.getAttribute("data-t")));
  });

  var chapters = Array.prototype.slice.call(document.querySelectorAll(".chapters li"));
  var turns = Array.prototype.slice.call(document.querySelectorAll(".turn"));
  function startOf(el) {
    var mark = el.hasAttribute("data-start") ? el : el.querySelector("[data-t]");
    return parseFloat(mark.getAttribute(mark.hasAttribute("data-start") ? "data-start" : "data-t"));
  }
  function markCurrent(items, now) {
    var current = null;
    items.forEach(function (item) { if (startOf(item) <= now + 0.05) current = item; });
    items.forEach(function (item) { item.classList.toggle("current", item === current); });
  }
  player.addEventListener("timeupdate", function () {
    markCurrent(chapters, player.currentTime);
    markCurrent(turns, player.currentTime);
  });

  function followHash() {  // a shared link #t=SECONDS starts the player there
    var fragment = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
    if (!fragment) return;
    var at = parseFloat(fragment[1]);
    if (player.readyState >= 1) player.currentTime = at;
    else player.addEventListener("loadedmetadata", function () { player.currentTime = at; }, { once: true });
  }
  followHash();
  window.addEventListener("hashchange", followHash);

  var box = document.getElementById("suche");
  var status = document.getElementById("treffer");
  if (!box) return;
  box.addEventListener("input", function () {
    var query = box.value.trim().toLocaleLowerCase("de");
    var hits = 0;
    turns.forEach(function (turn) {
      var p = turn.querySelector(".text");
      if (p.plain === undefined) p.plain = p.textContent;
      var text = p.plain;
      var lower = text.toLocaleLowerCase("de");
      var speaker = turn.querySelector(".speaker").textContent.toLocaleLowerCase("de");
      var found = Boolean(query) && (lower.indexOf(query) >= 0 || speaker.indexOf(query) >= 0);
      turn.hidden = Boolean(query) && !found;
      p.textContent = text;
      if (!found) return;
      hits += 1;
      var at = lower.indexOf(query);
      if (lower.length !== text.length) return;
      var parts = document.createDocumentFragment();
      var pos = 0;
      while (at >= 0) {
        parts.appendChild(document.createTextNode(text.slice(pos, at)));
        var mark = document.createElement("mark");
        mark.textContent = text.slice(at, at + query.length);
        parts.appendChild(mark);
        pos = at + query.length;
        at = lower.indexOf(query, pos);
      }
      parts.appendChild(document.createTextNode(text.slice(pos)));
      p.textContent = "";
      p.appendChild(parts);
    });
    status.textContent = query ? (hits === 1 ? "1 Abschnitt gefunden" : hits + " Abschnitte gefunden") : "";
  });
})();
