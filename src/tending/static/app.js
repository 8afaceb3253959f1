// Keyboard shortcuts and small behaviours of the dashboard; no framework, no inline scripts (CSP).
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.conv")); }
  function selected() { return document.querySelector("tr.conv.selected"); }
  function select(row) {
    var cur = selected();
    if (cur) { cur.classList.remove("selected"); }
    if (row) { row.classList.add("selected"); row.scrollIntoView({ block: "nearest" }); }
  }
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; } catch (e) { return ""; }
  }
  // `e`: the chosen person needs no reply; the row goes and the next one is chosen. In a thread, the
  // "Done" form does the same and opens the next item of the queue.
  function done(cur, list, i) {
    var form = document.getElementById("done-form");
    if (form) { form.submit(); return; }
    if (!cur || !cur.dataset.done) { return; }
    fetch(cur.dataset.done, { method: "POST", headers: { "X-CSRF-Token": csrf(), "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { return; }
        var next = list[i + 1] || list[i - 1] || null;
        cur.remove();
        select(next);
      });
  }
  function typing(ev) {
    var t = ev.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev)) { return; }
    var list = rows(), cur = selected(), i = list.indexOf(cur);
    if (ev.key === "j" && list.length) { select(list[Math.min(i + 1, list.length - 1)]); ev.preventDefault(); }
    else if (ev.key === "k" && list.length) { select(list[Math.max(i - 1, 0)]); ev.preventDefault(); }
    else if (ev.key === "Enter" && cur) { window.location = cur.dataset.href; }
    else if (ev.key === "r") { var t = document.getElementById("reply-text"); if (t) { t.focus(); ev.preventDefault(); } }
    else if (ev.key === "a") { var s = document.getElementById("assignee"); if (s) { s.focus(); ev.preventDefault(); } }
    else if (ev.key === "c") { var b = document.getElementById("close-btn"); if (b) { b.click(); } }
    else if (ev.key === "/") { var q = document.querySelector("input[name=q]"); if (q) { q.focus(); ev.preventDefault(); } }
    else if (ev.key === "x" && cur) { var box = cur.querySelector("input[type=checkbox]"); if (box) { box.checked = !box.checked; } }
    else if (ev.key === "e") { done(cur, list, i); ev.preventDefault(); }
    else if (ev.key === "n") { var nx = document.querySelector("[data-next]"); if (nx) { window.location = nx.getAttribute("href"); } }
  });
  document.addEventListener("click", function (ev) {
    var row = ev.target.closest && ev.target.closest("tr.conv");
    if (row && ev.target.tagName !== "A" && ev.target.tagName !== "INPUT" && !ev.target.closest("td:first-child")) { window.location = row.dataset.href; }
    var sug = ev.target.closest && ev.target.closest("[data-fill]");
    if (sug) { var t = document.getElementById("reply-text"); if (t) { t.value = sug.dataset.fill; t.focus(); } }
  });
  // Bulk actions come back to the view as it is now (filters may have changed through htmx).
  document.addEventListener("submit", function (ev) {
    var back = ev.target.querySelector && ev.target.querySelector("input[data-back]");
    if (back) { back.value = window.location.search; }
  });
  // "Save view" takes the filters as they are now (htmx may have changed them since the page loaded).
  document.addEventListener("submit", function (ev) {
    var save = ev.target, filters = document.querySelector("form.filters");
    if (!save.classList || !save.classList.contains("save-view") || !filters) { return; }
    Array.prototype.forEach.call(save.querySelectorAll("input[data-filter]"), function (el) { el.remove(); });
    Array.prototype.forEach.call(filters.elements, function (el) {
      if (!el.name || !el.value) { return; }
      var h = document.createElement("input");
      h.type = "hidden"; h.name = el.name; h.value = el.value; h.setAttribute("data-filter", "");
      save.appendChild(h);
    });
  });
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("select[data-navigate]")) { window.location = ev.target.value; }
  });
})();
