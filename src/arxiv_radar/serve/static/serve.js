// arxiv-radar reading room: send the reader's forms with fetch and update the page in place.
// Without JavaScript every form still works (the server answers with a redirect back).
(function () {
  "use strict";
  function flash(message) {
    var el = document.getElementById("flash");
    if (!el) { return; }
    el.textContent = message || "";
    el.hidden = !message;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var inActions = form.closest && form.closest(".actions");
    var isNote = form.classList && form.classList.contains("note-form");
    if (!inActions && !isNote) { return; }
    event.preventDefault();
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) {
        flash(result.data.error || "Not saved.");
        buttons.forEach(function (b) { b.disabled = false; });
        return;
      }
      flash("");
      if (isNote) {
        var saved = form.querySelector(".saved-note");
        if (saved) { saved.hidden = false; }
        buttons.forEach(function (b) { b.disabled = false; });
        return;
      }
      var holder = inActions;
      var tmp = document.createElement("div");
      tmp.innerHTML = result.data.html;
      var fresh = tmp.firstElementChild;
      if (fresh) { holder.replaceWith(fresh); }
      var card = fresh && fresh.closest(".paper");
      if (card) { card.classList.toggle("is-read", !!result.data.paper.read); }
    }).catch(function () {
      flash("The reading room did not answer; nothing was saved.");
      buttons.forEach(function (b) { b.disabled = false; });
    });
  });
})();
