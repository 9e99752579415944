// SmartPick: small progressive enhancements. The pages work without this file.
// Sortable tables (th > button.sort), client-side filters for the program list, and a
// live count announced to screen readers. No inline scripts (the CSP forbids them).
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim();
    var num = parseFloat(raw);
    return raw !== "" && !isNaN(num) && isFinite(raw) ? num : raw.toLowerCase();
  }

  function sortTable(table, index, header, wanted) {
    var body = table.tBodies[0];
    var current = header.getAttribute("aria-sort");
    // A first click sorts a column its best way (numbers where more is better: highest first).
    var button = header.querySelector("button.sort");
    var first = (button && button.getAttribute("data-first")) || "ascending";
    var direction = wanted || (current === "none" || !current ? first
      : current === "ascending" ? "descending" : "ascending");
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (th.hasAttribute("aria-sort")) th.setAttribute("aria-sort", "none");
    });
    header.setAttribute("aria-sort", direction);
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      var cmp = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return direction === "ascending" ? cmp : -cmp;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function applyFilters(table) {
    var id = table.id;
    var controls = document.querySelectorAll("[data-filter-for='" + id + "']");
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var visible = true;
      Array.prototype.forEach.call(controls, function (control) {
        var value = (control.value || "").trim().toLowerCase();
        if (!value) return;
        var key = control.getAttribute("data-filter-key");
        var have = (row.getAttribute("data-" + key) || "").toLowerCase();
        if (key === "search" ? have.indexOf(value) === -1 : have !== value) visible = false;
      });
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    var status = document.getElementById(id + "-count");
    if (status) status.textContent = shown + " of " + table.tBodies[0].rows.length + " programs shown";
  }

  function enhance(root) {
    Array.prototype.forEach.call(root.querySelectorAll("table[data-sortable]"), function (table) {
      if (table.getAttribute("data-enhanced")) return;
      table.setAttribute("data-enhanced", "1");
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
        var button = th.querySelector("button.sort");
        if (button) button.addEventListener("click", function () { sortTable(table, index, th); });
      });
      // A "sort by" menu for screens where the headings are hidden (phones): "column:direction".
      Array.prototype.forEach.call(
        document.querySelectorAll("[data-sort-for='" + table.id + "']"), function (menu) {
          menu.addEventListener("change", function () {
            var parts = menu.value.split(":");
            var index = parseInt(parts[0], 10) - 1;
            sortTable(table, index, table.tHead.rows[0].cells[index], parts[1]);
          });
        });
      var controls = document.querySelectorAll("[data-filter-for='" + table.id + "']");
      Array.prototype.forEach.call(controls, function (control) {
        control.addEventListener("input", function () { applyFilters(table); });
        control.addEventListener("change", function () { applyFilters(table); });
      });
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-js-only]"), function (el) {
      el.hidden = false;
    });
  }

  // A map dot links to its row: a row the filters hide is shown by clearing them, on the click
  // itself (a second click on the same dot changes no hash) and for an address that names it.
  function reveal(id) {
    var row = id ? document.getElementById(id) : null;
    var table = row && row.hidden ? row.closest("table") : null;
    if (!table) return;
    Array.prototype.forEach.call(
      document.querySelectorAll("[data-filter-for='" + table.id + "']"),
      function (control) { control.value = ""; });
    applyFilters(table);
    row.scrollIntoView();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#row-']");
    if (link) reveal(link.getAttribute("href").slice(1));
  });
  window.addEventListener("hashchange", function () { reveal(location.hash.slice(1)); });
  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    reveal(location.hash.slice(1));
    // After a submit with errors, move focus to the list of errors so it is read out first.
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
})();
