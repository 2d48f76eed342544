// pollinate's harvest pages: the theme board, the report back, the facilitator's vote
// controls and the phone's ballot, kept current without losing what someone is typing.
//
//   live.js ─▶ "pollinate:event" on document (every frame of the stream)
//     themes.changed · vote.* · report_back.toggled ─▶ wait 300 ms (a burst is one fetch)
//       ─▶ GET this page again ─▶ swap each [data-live-fragment] by its id
//   someone is typing in a fragment ─▶ wait until they leave it, then swap
//   the projector follows the switch: report back on ─▶ /report-back, off ─▶ /projector
//
// The fragments come from our own server, rendered and escaped by the same templates as
// the first load; nothing the server sends as JSON is ever set as HTML here.
(function () {
  "use strict";
  var configNode = document.getElementById("live-config");
  if (!configNode || !window.DOMParser) return;
  var config = JSON.parse(configNode.textContent);
  var role = config.role;
  var base = "/s/" + encodeURIComponent(config.session_id);
  var HARVEST = ["themes.changed", "report_back.toggled", "vote.opened", "vote.counted",
    "vote.closed", "note.added", "note.edited", "note.deleted"];
  var timer = null;
  var waiting = false;

  function fragments() { return document.querySelectorAll("[data-live-fragment][id]"); }

  // A text box whose value differs from what the server sent is being typed in.
  function typing() {
    var active = document.activeElement;
    if (!active || !active.closest || !active.closest("[data-live-fragment]")) return false;
    if (!/^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return false;
    return active.type !== "checkbox" ? active.value !== active.defaultValue : false;
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var focused = document.activeElement && document.activeElement.id;
    Array.prototype.forEach.call(fragments(), function (node) {
      var replacement = fresh.getElementById(node.id);
      if (replacement) node.parentNode.replaceChild(document.importNode(replacement, true), node);
    });
    // Keep keyboard users where they were (a button of the same id, if it is still there).
    var again = focused && document.getElementById(focused);
    if (again && again.focus) again.focus();
  }

  function refresh() {
    timer = null;
    if (typing()) { waiting = true; return; }
    waiting = false;
    fetch(window.location.pathname + "?as=" + encodeURIComponent(role),
      { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(swap)
      .catch(function () { /* the next event, or a reload, catches up */ });
  }

  function soon() { if (timer === null) timer = setTimeout(refresh, 300); }

  function follow(type, payload) {
    var onReportBack = /\/report-back$/.test(window.location.pathname);
    if (role !== "projector" || type !== "report_back.toggled") return false;
    if (payload.shown && !onReportBack) window.location.assign(base + "/report-back");
    else if (!payload.shown && onReportBack) window.location.assign(base + "/projector");
    else return false;
    return true;
  }

  document.addEventListener("pollinate:event", function (e) {
    var data = e.detail;
    if (HARVEST.indexOf(data.type) < 0) return;
    if (follow(data.type, data.payload)) return;
    // Notes move the board only through the server's re-clustering (themes.changed).
    if (data.type.indexOf("note.") === 0) return;
    if (fragments().length) soon();
  });
  document.addEventListener("focusout", function () {
    if (waiting) setTimeout(function () { if (waiting && !typing()) refresh(); }, 0);
  });
})();
