// Waiting-room display: live calls by Server-Sent Events. The page works without this script
// (it refreshes itself every 10 s); with it, a call shows as soon as the server sends it.
// EventSource reconnects by itself (the server asks for 1 s); a closed stream is reopened here.
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root || !window.EventSource) { return; }
  var source = null;
  var lastKey = null;
  var first = document.querySelector("#calls tr[data-key]");
  if (first) { lastKey = first.getAttribute("data-key"); }

  function text(id, value) { var el = document.getElementById(id); if (el) { el.textContent = value; } }
  function shown(id, visible) { var el = document.getElementById(id); if (el) { el.hidden = !visible; } }

  function chime() {
    if (root.getAttribute("data-chime") !== "1") { return; }
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = new Ctx();
      [880, 660].forEach(function (hz, i) {
        var osc = ctx.createOscillator(); var gain = ctx.createGain();
        osc.frequency.value = hz; gain.gain.value = 0.2;
        osc.connect(gain); gain.connect(ctx.destination);
        osc.start(ctx.currentTime + i * 0.35); osc.stop(ctx.currentTime + i * 0.35 + 0.3);
      });
    } catch (e) { /* no audio: the screen still shows the call */ }
  }

  function show(board) {
    var body = document.getElementById("calls");
    var rows = document.createDocumentFragment();
    board.calls.forEach(function (c) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-key", c.key);
      [c.label, c.counter, c.time].forEach(function (value, i) {
        var td = document.createElement("td");
        if (i === 0) { td.className = "n"; }
        td.textContent = value;
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    if (board.calls.length) { body.replaceChildren(rows); }
    var latest = board.calls[0];
    text("now-number", latest ? latest.label : "");
    text("now-counter", latest ? latest.counter : "");
    // Before the first call the banner says what it is for (the board of a new day is empty).
    shown("now-number", latest); shown("now-to", latest); shown("now-idle", !latest);
    text("waiting", root.getAttribute("data-waiting").replace("{n}", board.waiting)
      .replace("{o}", board.wait[0]).replace("{r}", board.wait[1]));
    if (latest && latest.key !== lastKey) {
      text("announce", root.getAttribute(latest.appointment ? "data-announce-appointment" : "data-announce")
        .replace("{n}", latest.label).replace("{c}", latest.counter));
      if (lastKey !== null) { chime(); }
    }
    lastKey = latest ? latest.key : null;
    root.setAttribute("data-live", "1");
  }

  function connect() {
    source = new EventSource(root.getAttribute("data-events"));
    source.addEventListener("board", function (e) { show(JSON.parse(e.data)); });
    source.onerror = function () {
      root.setAttribute("data-live", "0");
      if (source.readyState === EventSource.CLOSED) { setTimeout(connect, 3000); }
    };
  }
  connect();
})();
