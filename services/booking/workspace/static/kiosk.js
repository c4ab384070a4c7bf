// Ticket kiosk: the "print" button needs a script; without it the ticket is still on the screen
// (and a kiosk browser set to print automatically prints the same ticket-sized view).
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
