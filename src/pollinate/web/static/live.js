// pollinate's live pages: server-time countdown, Server-Sent Events, notes, quick capture.
//
//   #live-config (JSON from the server) ─▶ state, clock offset ─▶ render every 250 ms
//   EventSource /api/sessions/ID/events?as=ROLE ─▶ apply(event) ─▶ render
//         error ─▶ "Reconnecting…"; open again ─▶ re-fetch /state (catch up), hide it
//
// Time is the server's: offset = server_time − this device's clock, refreshed by every
// event, so a phone set five minutes wrong still counts down to the server's ends_at.
// Event reduction mirrors pollinate/web/views.py:apply_event (tested in Python).
// Every text from the server is set with textContent, never as HTML. Every frame is also
// handed on as a "pollinate:event" DOM event, which static/harvest.js listens to.
(function () {
  "use strict";
  var configNode = document.getElementById("live-config");
  if (!configNode) return;
  var config = JSON.parse(configNode.textContent);
  var state = config.state;
  var sid = config.session_id;
  var role = config.role;
  var api = "/api/sessions/" + encodeURIComponent(sid);
  var offsetMs = Date.parse(state.server_time) - Date.now();
  var lastId = state.last_event_id;
  var source = null;
  var broken = false;

  function $(id) { return document.getElementById(id); }
  function setText(id, text) { var node = $(id); if (node) node.textContent = text; }

  function secondsLeft() {
    if (state.remaining_seconds !== null && state.remaining_seconds !== undefined) {
      return state.remaining_seconds;
    }
    if (!state.ends_at) return null;
    return Math.max(0, (Date.parse(state.ends_at) - (Date.now() + offsetMs)) / 1000);
  }

  function clockText(seconds) {
    if (seconds === null) return "–";
    var whole = Math.ceil(seconds - 0.001);
    var rest = whole % 60;
    return Math.floor(whole / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tick() { setText("timer", clockText(secondsLeft())); }

  function renderRun() {
    var title = state.finished ? "The session has finished" : (state.block_title || "Starting soon");
    setText("block-title", title);
    setText("round-label", state.round ? "Round " + state.round : "");
    setText("question", state.question || "");
    setText("run-status", state.paused ? "Paused" : "");
    var items = document.querySelectorAll("#agenda li");
    for (var i = 0; i < items.length; i++) {
      if (String(state.block_index) === items[i].getAttribute("data-block-index")) {
        items[i].setAttribute("aria-current", "step");
      } else {
        items[i].removeAttribute("aria-current");
      }
    }
    renderBroadcasts();
    renderMy();
    renderMap();
    tick();
  }

  // The projector's table map: the running round's, or between rounds the coming one's.
  function mapRound() {
    if (state.round) return state.round;
    if (state.finished) return null;
    var blocks = config.round_of_block || [];
    var first = state.block_index === null ? 0 : state.block_index + 1;
    for (var i = first; i < blocks.length; i++) if (blocks[i]) return blocks[i];
    return null;
  }

  function renderMap() {
    var list = $("table-map");
    if (!list || !config.maps) return;
    var round = mapRound();
    setText("map-heading", "Tables" + (round ? ", round " + round : ""));
    var tables = (round && config.maps[String(round)]) || [];
    while (list.firstChild) list.removeChild(list.firstChild);
    tables.forEach(function (table) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.className = "table-name";
      name.textContent = table.name;
      var count = document.createElement("span");
      count.className = "table-count";
      count.textContent = String(table.count);
      var unit = document.createElement("span");
      unit.className = "sr-only";
      unit.textContent = " people";
      item.appendChild(name);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(count);
      item.appendChild(unit);
      list.appendChild(item);
    });
  }

  function renderBroadcasts() {
    var list = $("broadcasts");
    if (!list) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    for (var i = state.broadcasts.length - 1; i >= 0; i--) {
      var item = document.createElement("li");
      item.textContent = state.broadcasts[i].message;
      list.appendChild(item);
    }
  }

  function renderMy() {
    var my = state.my;
    if (!my || !$("my-table")) return;
    setText("my-round-label", my.round ? "Round " + my.round + ":" : "");
    setText("my-table", my.table || "Not seated yet");
    setText("my-next-table", my.next_table || "—");
    var video = $("my-video-link");
    if (video) {
      video.hidden = !my.video_link;
      video.setAttribute("href", my.video_link || "#");
    }
  }

  function refetch() {
    return fetch(api + "/state?as=" + role, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (fresh) {
        var seatMoved = state.my && fresh.my &&
          (state.my.table !== fresh.my.table || state.my.round !== fresh.my.round);
        state = fresh;
        offsetMs = Date.parse(fresh.server_time) - Date.now();
        renderRun();
        refreshFill();  // after a reconnect, the round or the seating may have moved on
        // A host's open round decides which notes can be written: reload to get the form.
        if (role === "host" && seatMoved) window.location.reload();
      });
  }

  // ── notes ─────────────────────────────────────────────────────────────────────────
  function feed() { return $("notes-feed") || $("notes"); }

  function showNote(p) {
    var list = feed();
    if (!list) return;
    var item = $("note-" + p.note_id);
    if (!item) {
      item = document.createElement("li");
      item.id = "note-" + p.note_id;
      var meta = document.createElement("span");
      meta.className = "note-meta";
      var text = document.createElement("span");
      text.className = "note-text";
      item.appendChild(meta);
      item.appendChild(text);
      list.appendChild(item);
    }
    item.setAttribute("data-table", p.table);
    item.querySelector(".note-meta").textContent = p.table + " · round " + p.round;
    item.querySelector(".note-text").textContent = p.text;
    item.className = p.highlighted ? "highlighted" : "";
    filterNotes();
  }

  function dropNote(p) {
    var item = $("note-" + p.note_id);
    if (item) item.parentNode.removeChild(item);
  }

  function filterNotes() {
    var filter = $("table-filter");
    var list = feed();
    if (!filter || !list) return;
    var items = list.children;
    for (var i = 0; i < items.length; i++) {
      items[i].hidden = !!filter.value && items[i].getAttribute("data-table") !== filter.value;
    }
  }

  // ── events ────────────────────────────────────────────────────────────────────────
  var RUN_EVENTS = ["block.started", "timer.paused", "timer.resumed", "timer.extended",
    "broadcast.sent", "session.finished", "seating.changed"];
  // The board, the vote and the report back: static/harvest.js redraws what they change.
  var HARVEST_EVENTS = ["themes.changed", "report_back.toggled", "vote.opened",
    "vote.counted", "vote.closed"];

  function applyRun(type, p) {
    if (type === "block.started") {
      if (state.my) return refetch();
      state.phase = "running"; state.block_index = p.block_index; state.block_title = p.title;
      state.kind = p.kind; state.round = p.round; state.question = p.question;
      state.ends_at = p.ends_at; state.remaining_seconds = null; state.paused = false;
      state.finished = false;
    } else if (type === "timer.paused") {
      state.phase = "paused"; state.ends_at = null; state.remaining_seconds = p.remaining_seconds;
      state.paused = true;
    } else if (type === "timer.resumed") {
      state.phase = "running"; state.ends_at = p.ends_at; state.remaining_seconds = null;
      state.paused = false;
    } else if (type === "timer.extended") {
      state.ends_at = p.ends_at; state.remaining_seconds = p.remaining_seconds;
    } else if (type === "broadcast.sent") {
      var seen = state.broadcasts.some(function (b) {
        return b.message === p.message && b.sent_at === p.sent_at;
      });
      if (!seen) state.broadcasts = state.broadcasts.concat([{ message: p.message, sent_at: p.sent_at }]).slice(-3);
    } else if (type === "session.finished") {
      if (state.my) return refetch();
      state.phase = "finished"; state.block_index = null; state.block_title = null;
      state.kind = null; state.round = null; state.question = null; state.ends_at = null;
      state.remaining_seconds = null; state.paused = false; state.finished = true;
    } else if (type === "seating.changed") {
      if (state.my) return refetch();
      // The projector has no form to lose: it reloads to show the new table counts.
      if (role === "projector") return window.location.reload();
      if ($("table-fill-rows")) {
        refreshFill();
        setText("message", "The seating changed: the table fill shows it; reload the page to update the check-in lists.");
      } else {
        setText("message", "The seating changed; reload the page to see the new table fill.");
      }
      return;
    }
    if (type === "block.started" || type === "session.finished") refreshFill();
    renderRun();
    if (type === "timer.extended") {
      // Say what happened, and keep saying "Paused" while it is.
      var extended = "extended by " + p.minutes + " min";
      setText("run-status", state.paused ? "Paused · " + extended : "Extended by " + p.minutes + " min");
    }
  }

  // The console's table fill and check-in counts follow the round, re-plans and check-ins
  // without a reload, which would lose what is typed in its forms.
  var fillAsked = 0;  // answers may come back out of order: only the latest is drawn
  function refreshFill() {
    var rows = $("table-fill-rows");
    if (!rows) return;
    var asked = ++fillAsked;
    fetch("/s/" + encodeURIComponent(sid) + "/facilitator/fill?as=" + role, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (seating) {
        if (asked !== fillAsked) return;
        setText("fill-heading", "Table fill" + (seating.fill_round ? ", round " + seating.fill_round : ""));
        while (rows.firstChild) rows.removeChild(rows.firstChild);
        seating.fill.forEach(function (place) {
          var row = document.createElement("tr");
          [place.name + (place.online ? " (online)" : ""), String(place.seated), String(place.capacity)]
            .forEach(function (text) {
              var cell = document.createElement("td");
              cell.textContent = text;
              row.appendChild(cell);
            });
          rows.appendChild(row);
        });
        var counts = seating.counts;
        setText("checkins", counts.present + " checked in, " + counts.expected + " not seen yet, " +
          counts.absent + " absent.");
      })
      .catch(function () {});  // the next change, or a reload, tries again
  }

  function onEvent(message) {
    var data = JSON.parse(message.data);
    lastId = data.seq;
    offsetMs = Date.parse(data.server_time) - Date.now();
    state.last_event_id = data.seq;
    var p = data.payload;
    if (data.type === "note.added" || data.type === "note.edited") showNote(p);
    else if (data.type === "note.deleted") dropNote(p);
    else if (RUN_EVENTS.indexOf(data.type) >= 0) applyRun(data.type, p);
    else if (data.type === "presence.changed") refreshFill();
    document.dispatchEvent(new CustomEvent("pollinate:event", { detail: data }));
  }

  function connect() {
    var url = api + "/events?as=" + role + "&last_event_id=" + lastId;
    source = new EventSource(url);
    var types = RUN_EVENTS.concat(["note.added", "note.edited", "note.deleted", "presence.changed"],
      HARVEST_EVENTS);
    types.forEach(function (type) { source.addEventListener(type, onEvent); });
    source.addEventListener("resync", function (message) {
      lastId = JSON.parse(message.data).last_event_id;
      refetch().then(function () {
        if (feed() || document.querySelector("[data-live-fragment]")) window.location.reload();
      });
    });
    source.onopen = function () {
      if (broken) {
        broken = false;
        refetch().catch(function () {});
      }
      var status = $("connection");
      if (status) status.hidden = true;
    };
    source.onerror = function () {
      broken = true;
      var status = $("connection");
      if (status) { status.hidden = false; status.textContent = "Reconnecting…"; }
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (the server answered an error): try again with our position.
        setTimeout(connect, 3000);
      }
    };
  }

  // ── quick note capture (host) and ideas (participants, when allowed) ──────────────────
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function postNote(form, textArea, statusId, keyField) {
    var key = keyField ? keyField.value : newKey();
    var body = { round: Number(form.getAttribute("data-round") || state.round),
      table: form.getAttribute("data-table"), text: textArea.value };
    setText(statusId, "Saving…");
    fetch(api + "/notes?as=" + role, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": config.csrf, "Idempotency-Key": key },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (answer) {
        if (!r.ok) throw new Error(answer.detail || ("Error " + r.status));
        textArea.value = "";
        if (keyField) keyField.value = newKey();  // a new note gets a new key
        if (answer.redactions && answer.redactions.length && role === "host") {
          // Names were replaced: the page shows what, and lets the host restore a word
          // that named nobody; that needs the originals, which only the page can show.
          window.location.assign(window.location.pathname + "?message=" + encodeURIComponent(
            "Saved. Some words were replaced to keep the Chatham House Rule; restore any that named nobody."));
          return;
        }
        setText(statusId, "Saved.");
        showNote({ note_id: answer.id, table: answer.table, round: answer.round,
          text: answer.text, highlighted: answer.highlighted });
        textArea.focus();
      });
    }).catch(function (error) {
      // Same key on the next try: if the first one landed, the server answers it again.
      setText(statusId, "Not saved: " + error.message);
    });
  }

  var noteForm = $("note-form");
  if (noteForm) {
    var noteText = $("note-text");
    noteForm.addEventListener("submit", function (e) {
      e.preventDefault();
      postNote(noteForm, noteText, "note-status", $("note-key"));
    });
    noteText.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        postNote(noteForm, noteText, "note-status", $("note-key"));
      }
    });
  }
  var ideaForm = $("idea-form");
  if (ideaForm) {
    ideaForm.addEventListener("submit", function (e) {
      e.preventDefault();
      postNote(ideaForm, $("idea-text"), "idea-status", null);
    });
  }
  var filter = $("table-filter");
  if (filter) filter.addEventListener("change", filterNotes);

  renderRun();
  setInterval(tick, 250);
  connect();
})();
