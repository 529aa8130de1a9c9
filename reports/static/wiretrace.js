/* wiretrace report: sortable, filterable tables. Loaded from a file of the report (the pages'
   Content-Security-Policy allows no inline script); every page works without it.

   - every table.sortable: click a column head to sort (again to reverse); cells sort by their
     data-sort attribute when they have one, else by their text, as numbers when they all are;
   - every table[data-filter]: a filter box above it hides rows without the typed words; with
     data-outlet-column, an outlet menu too;
   - the document list (table#documents) filters and sorts every document of the report, from
     documents-data.js, not only the rows of the current page;
   - the state is kept in the address (#q=...&outlet=...&sort=2-desc), so a filtered view can be
     bookmarked or shared.
   The text of documents only ever reaches the page through textContent. */
(function () {
  "use strict";

  function cellKey(cell) {
    if (!cell) return "";
    var key = cell.getAttribute("data-sort");
    return key !== null ? key : cell.textContent.trim();
  }

  function compareKeys(a, b, numeric) {
    if (numeric) return parseFloat(a) - parseFloat(b);
    return a.localeCompare(b, undefined, { sensitivity: "base", numeric: true });
  }

  function isNumber(text) {
    return text !== "" && !isNaN(parseFloat(text)) && isFinite(text);
  }

  function readState() {
    var state = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var parts = pair.split("=");
      if (parts.length === 2) state[decodeURIComponent(parts[0])] = decodeURIComponent(parts[1]);
    });
    return state;
  }

  function writeState(state) {
    var pairs = [];
    Object.keys(state).forEach(function (name) {
      if (state[name]) pairs.push(encodeURIComponent(name) + "=" + encodeURIComponent(state[name]));
    });
    // An anchor (#outlets) is left alone until there is a filter or a sort to keep.
    if (!pairs.length && location.hash.indexOf("=") === -1) return;
    var hash = pairs.length ? "#" + pairs.join("&") : "";
    if (history.replaceState) history.replaceState(null, "", location.pathname + location.search + hash);
  }

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function matches(haystack, query) {
    var text = haystack.toLowerCase();
    return words(query).every(function (word) { return text.indexOf(word) !== -1; });
  }

  /* Sort buttons in the head of a table; onSort(column, descending) does the sorting. */
  function addSortButtons(table, onSort, initial) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (head, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.title = "Sort by this column";
      while (head.firstChild) button.appendChild(head.firstChild);
      head.appendChild(button);
      button.addEventListener("click", function () {
        var descending = head.getAttribute("aria-sort") === "ascending";
        setSorted(heads, column, descending);
        onSort(column, descending);
      });
    });
    if (initial) {
      setSorted(heads, initial.column, initial.descending);
      onSort(initial.column, initial.descending);
    }
  }

  function setSorted(heads, column, descending) {
    Array.prototype.forEach.call(heads, function (head, index) {
      if (index === column) head.setAttribute("aria-sort", descending ? "descending" : "ascending");
      else head.removeAttribute("aria-sort");
    });
  }

  function parseSort(text) {
    var match = /^(\d+)-(asc|desc)$/.exec(text || "");
    return match ? { column: parseInt(match[1], 10), descending: match[2] === "desc" } : null;
  }

  function filterBar(table, outlets, state, onChange) {
    var bar = document.createElement("div");
    bar.className = "filters";
    var box = document.createElement("input");
    box.type = "search";
    box.placeholder = "Filter rows…";
    box.setAttribute("aria-label", "Filter rows");
    box.value = state.q || "";
    bar.appendChild(box);
    var menu = null;
    if (outlets) {
      menu = document.createElement("select");
      menu.setAttribute("aria-label", "Outlet");
      var all = document.createElement("option");
      all.value = "";
      all.textContent = "All outlets";
      menu.appendChild(all);
      outlets.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        option.textContent = name;
        menu.appendChild(option);
      });
      menu.value = state.outlet || "";
      bar.appendChild(menu);
    }
    var count = document.createElement("span");
    count.className = "count";
    bar.appendChild(count);
    table.parentNode.insertBefore(bar, table);
    function changed() {
      onChange(box.value, menu ? menu.value : "", count);
    }
    box.addEventListener("input", changed);
    if (menu) menu.addEventListener("change", changed);
    return changed;
  }

  /* A table of the page: sort and filter the rows it has. */
  function enhanceTable(table, useAddress) {
    var body = table.tBodies[0];
    if (!body) return;
    var state = useAddress ? readState() : {};
    var outletColumn = table.getAttribute("data-outlet-column");
    var outlets = null;
    if (outletColumn !== null) {
      var seen = {};
      Array.prototype.forEach.call(body.rows, function (row) {
        seen[cellKey(row.cells[+outletColumn])] = true;
      });
      outlets = Object.keys(seen).filter(Boolean).sort(function (a, b) { return compareKeys(a, b, false); });
    }
    if (table.hasAttribute("data-filter")) {
      var apply = filterBar(table, outlets, state, function (query, outlet, count) {
        var shown = 0;
        Array.prototype.forEach.call(body.rows, function (row) {
          var keep = matches(row.textContent, query) &&
            (!outlet || cellKey(row.cells[+outletColumn]) === outlet);
          row.classList.toggle("hidden", !keep);
          if (keep) shown += 1;
        });
        count.textContent = shown + " of " + body.rows.length + " rows";
        if (useAddress) { state.q = query; state.outlet = outlet; writeState(state); }
      });
      apply();
    }
    addSortButtons(table, function (column, descending) {
      var rows = Array.prototype.slice.call(body.rows);
      var keys = rows.map(function (row) { return cellKey(row.cells[column]); });
      var numeric = keys.every(function (key) { return key === "" || isNumber(key); });
      var order = rows.map(function (row, index) { return index; });
      order.sort(function (a, b) {
        var result = compareKeys(keys[a], keys[b], numeric);
        return (descending ? -result : result) || a - b;
      });
      order.forEach(function (index) { body.appendChild(rows[index]); });
      if (useAddress) { state.sort = column + "-" + (descending ? "desc" : "asc"); writeState(state); }
    }, useAddress ? parseSort(state.sort) : null);
    table.setAttribute("data-enhanced", "sort" + (table.hasAttribute("data-filter") ? " filter" : ""));
  }

  /* The document list: the same controls over every document of the report. */
  function enhanceDocumentList(table, data) {
    var body = table.tBodies[0];
    var state = readState();
    var documents = data.documents;  // [id, title, uri, outlet, published, date key, share, passages, credits]
    var sortKeys = [
      function (d) { return d[1]; }, function (d) { return d[3]; }, function (d) { return d[5]; },
      function (d) { return d[6] === null ? -1 : d[6]; }, function (d) { return d[7]; },
      function (d) { return d[8]; }
    ];
    var numericColumns = { 3: true, 4: true };
    var query = state.q || "", outlet = state.outlet || "", limit = data.pageSize;
    var sort = parseSort(state.sort);
    var pagers = document.querySelectorAll("nav.pager");
    var more = document.createElement("button");
    more.type = "button";
    more.textContent = "Show more";
    more.hidden = true;
    table.parentNode.insertBefore(more, table.nextSibling);
    var count = null;

    function selected() {
      var rows = documents.filter(function (d) {
        return (!outlet || d[3] === outlet) && matches(d[1] + " " + d[2] + " " + d[3] + " " + d[8], query);
      });
      if (sort) {
        var key = sortKeys[sort.column], numeric = !!numericColumns[sort.column];
        rows = rows.map(function (d, index) { return [d, index]; });
        rows.sort(function (a, b) {
          var result = compareKeys(String(key(a[0])), String(key(b[0])), numeric);
          return (sort.descending ? -result : result) || a[1] - b[1];
        });
        rows = rows.map(function (pair) { return pair[0]; });
      }
      return rows;
    }

    function cell(row, text, className, child) {
      var td = document.createElement("td");
      if (className) td.className = className;
      if (child) td.appendChild(child);
      td.appendChild(document.createTextNode(text));
      row.appendChild(td);
      return td;
    }

    function render() {
      var rows = selected();
      var fragment = document.createDocumentFragment();
      rows.slice(0, limit).forEach(function (d) {
        var row = document.createElement("tr");
        var link = document.createElement("a");
        link.href = "docs/" + d[0] + ".html";
        link.textContent = d[1];
        var first = cell(row, "", "", link);
        first.appendChild(document.createElement("br"));
        var uri = document.createElement("span");
        uri.className = "small";
        uri.textContent = d[2];
        first.appendChild(uri);
        cell(row, d[3]);
        cell(row, d[4]);
        cell(row, d[6] === null ? "n/a" : Math.round(d[6] * 100) + "%", "num");
        cell(row, String(d[7]), "num");
        cell(row, d[8]);
        fragment.appendChild(row);
      });
      while (body.firstChild) body.removeChild(body.firstChild);
      body.appendChild(fragment);
      var filtered = !!(query || outlet || sort);
      Array.prototype.forEach.call(pagers, function (pager) { pager.hidden = filtered; });
      more.hidden = rows.length <= limit;
      if (count) count.textContent = Math.min(limit, rows.length) + " shown of " + rows.length +
        " matching (" + documents.length + " documents)";
      state.q = query; state.outlet = outlet;
      state.sort = sort ? sort.column + "-" + (sort.descending ? "desc" : "asc") : "";
      writeState(state);
    }

    var outlets = {};
    documents.forEach(function (d) { if (d[3]) outlets[d[3]] = true; });
    var names = Object.keys(outlets).sort(function (a, b) { return compareKeys(a, b, false); });
    var apply = filterBar(table, names, state, function (newQuery, newOutlet, counter) {
      count = counter;
      query = newQuery; outlet = newOutlet; limit = data.pageSize;
      // A filter over every page starts from the oldest document, not from this page's rows.
      render();
    });
    more.addEventListener("click", function () { limit += data.pageSize; render(); });
    addSortButtons(table, function (column, descending) {
      sort = { column: column, descending: descending };
      render();
    }, null);
    if (sort) setSorted(table.tHead.rows[0].cells, sort.column, sort.descending);
    if (query || outlet || sort) apply();
    else {
      count = table.previousSibling.querySelector(".count");
      count.textContent = documents.length + " documents";
    }
    table.setAttribute("data-enhanced", "sort filter all-documents");
  }

  function start() {
    document.documentElement.classList.add("js");
    var list = document.getElementById("documents");
    var data = window.wiretraceDocuments;
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
      if (table === list && data && data.documents) enhanceDocumentList(table, data);
      else enhanceTable(table, table === list || table.hasAttribute("data-filter") && document.querySelectorAll("table[data-filter]").length === 1);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
