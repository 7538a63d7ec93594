/* Sortable, filterable tables, without a framework (progressive enhancement).
 *
 * <table data-sortable>: each header becomes a button that sorts the rows by that column,
 * ascending then descending. A cell's data-sort value is used when it has one (the server
 * writes numbers and ISO dates there locale-independently); a column whose values all read
 * as numbers sorts as numbers, any other as text in the page's language.
 * A text box above the table hides the rows that do not contain what is typed.
 * <select data-filter-table="ID" name="KEY">: keeps only the rows of table ID whose
 * data-KEY is the value chosen (all rows for an empty value).
 * Words come from this script tag's data-* attributes, translated by the server.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var words = (script && script.dataset) || {};
  var language = document.documentElement.lang || undefined;
  var counter = 0;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }

  function isNumber(text) {
    return text !== "" && /^-?\d+(\.\d+)?$/.test(text);
  }

  function bodyRows(table) {
    var rows = [];
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        if (!row.hasAttribute("data-no-sort")) rows.push(row);
      });
    });
    return rows;
  }

  function sortBy(table, header, index) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = bodyRows(table);
    var values = rows.map(function (row) { return cellValue(row, index); });
    var numeric = values.every(function (v) { return v === "" || isNumber(v); });
    var order = rows.map(function (row, i) { return { row: row, value: values[i], at: i }; });
    order.sort(function (a, b) {
      var result;
      if (numeric) {
        result = (a.value === "" ? -Infinity : parseFloat(a.value)) - (b.value === "" ? -Infinity : parseFloat(b.value));
      } else {
        result = a.value.localeCompare(b.value, language, { numeric: true, sensitivity: "base" });
      }
      return (ascending ? result : -result) || a.at - b.at;
    });
    var body = table.tBodies[0];
    order.forEach(function (item) { body.appendChild(item.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function applyFilters(table) {
    var query = fold((table._filterBox && table._filterBox.value) || "").trim();
    var selects = document.querySelectorAll('select[data-filter-table="' + table.id + '"]');
    var rows = bodyRows(table);
    var shown = 0;
    rows.forEach(function (row) {
      var keep = !query || fold(row.textContent).indexOf(query) !== -1;
      Array.prototype.forEach.call(selects, function (select) {
        if (select.value !== "" && row.getAttribute("data-" + select.name) !== select.value) keep = false;
      });
      row.hidden = !keep;
      if (keep) shown += 1;
    });
    if (table._filterCount) {
      table._filterCount.textContent = (words.shown || "{shown} of {total} rows shown")
        .replace("{shown}", shown).replace("{total}", rows.length);
    }
  }

  function makeSortable(table) {
    if (!table.id) { counter += 1; table.id = "table-" + counter; }
    if (table.tHead && table.tHead.rows.length) {
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
        if (header.hasAttribute("data-no-sort") || !header.textContent.trim()) return;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort";
        while (header.firstChild) button.appendChild(header.firstChild);
        header.appendChild(button);
        button.addEventListener("click", function () { sortBy(table, header, index); });
      });
    }
    if (table.hasAttribute("data-no-filter") || bodyRows(table).length < 2) return;
    var wrap = document.createElement("div");
    wrap.className = "table-filter";
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "search";
    box.id = table.id + "-filter";
    box.autocomplete = "off";
    box.setAttribute("aria-controls", table.id);
    label.htmlFor = box.id;
    label.textContent = table.getAttribute("data-filter-label") || words.filter || "Filter";
    var count = document.createElement("p");
    count.className = "help";
    count.setAttribute("aria-live", "polite");
    wrap.appendChild(label);
    wrap.appendChild(box);
    wrap.appendChild(count);
    var anchor = table.parentElement && table.parentElement.classList.contains("table-wrap") ? table.parentElement : table;
    anchor.parentNode.insertBefore(wrap, anchor);
    table._filterBox = box;
    table._filterCount = count;
    box.addEventListener("input", function () { applyFilters(table); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("select[data-filter-table]"), function (select) {
      var table = document.getElementById(select.getAttribute("data-filter-table"));
      if (!table) return;
      select.addEventListener("change", function () { applyFilters(table); });
      if (select.value) applyFilters(table);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
