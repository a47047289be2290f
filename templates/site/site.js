/* audiokit episode page: seek on chapters and timestamps, follow playback, one player at a time, search the transcript
   (text, speaker names and organisations; matches in the text are marked). */
(function () {
  "use strict";
  document.addEventListener("play", function (event) {  // one player at a time: the others pause
    document.querySelectorAll("audio, video").forEach(function (media) {
      if (media !== event.target) media.pause();
    });
  }, true);
  var player = document.getElementById("player");
  if (!player) return;

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

  var fragment = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
  if (fragment) player.currentTime = parseFloat(fragment[1]);

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
