// Selecting a seed sentence (click, Enter or Space) shows its source sentences in the panel
// beside the text; without this script every detail is listed below the text, linked by anchor.
(function () {
  document.documentElement.classList.add("js");
  var sentences = Array.prototype.slice.call(document.querySelectorAll(".s[data-n]"));
  function select(element, focusPanel) {
    sentences.forEach(function (s) {
      s.classList.remove("selected");
      s.setAttribute("aria-expanded", "false");
    });
    document.querySelectorAll(".detail.open").forEach(function (d) { d.classList.remove("open"); });
    var detail = document.getElementById("d-" + element.getAttribute("data-n"));
    element.classList.add("selected");
    element.setAttribute("aria-expanded", "true");
    if (detail) {
      detail.classList.add("open");
      if (focusPanel) { detail.focus(); }
    }
  }
  sentences.forEach(function (s, i) {
    s.addEventListener("click", function (event) { event.preventDefault(); select(s, false); });
    s.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " " || event.key === "Spacebar") {
        event.preventDefault();
        select(s, false);
      } else if (event.key === "ArrowRight" || event.key === "ArrowDown") {
        event.preventDefault();
        var next = sentences[Math.min(i + 1, sentences.length - 1)];
        next.focus(); select(next, false);
      } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
        event.preventDefault();
        var previous = sentences[Math.max(i - 1, 0)];
        previous.focus(); select(previous, false);
      }
    });
  });
  // Sources a page at a time (the file holds them all; served, the page holds one page only).
  var paged = Array.prototype.slice.call(document.querySelectorAll("[data-page]"));
  function showPage(n) {
    paged.forEach(function (e) { e.hidden = e.getAttribute("data-page") !== String(n); });
    document.querySelectorAll(".pager a[data-goto]").forEach(function (a) {
      if (a.getAttribute("data-goto") === String(n)) { a.setAttribute("aria-current", "page"); }
      else { a.removeAttribute("aria-current"); }
    });
  }
  document.querySelectorAll(".pager a[data-goto]").forEach(function (a) {
    a.addEventListener("click", function () { showPage(a.getAttribute("data-goto")); });
  });
  if (document.querySelector(".pager a[data-goto]")) { showPage(1); }
  var first = location.hash && document.querySelector('.s[href="' + location.hash + '"]');
  if (first) { select(first, false); }
  else if (sentences.length) {
    var weakest = document.querySelector(".s.added, .s.partial") || sentences[0];
    select(weakest, false);
  }
})();
