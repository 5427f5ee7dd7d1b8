/* roundup-kb browse page: a faceted filter over browse.json, in plain JavaScript.
 *
 * State lives in the query string, as the form would submit it:
 *   ?text=words&topic=slug&topic=slug&kind=event&year=2021&author=slug&venue=slug
 * (not "q": Sphinx's searchtools.js, loaded on every page, runs a search for ?q=).
 * Values of one facet are alternatives (OR); facets and words narrow each other (AND).
 * A facet's counts say how many entries each value would give with the other
 * filters kept.  window.roundupBrowse exposes timings for tests and profiling.
 */
(function () {
  "use strict";

  var PAGE = 200;          // results rendered per "show more"
  var TOP = 10;            // values shown per long facet before "show all"
  var FIND_LIMIT = 60;     // values shown while a facet's find box is used
  var ANNOUNCE_MS = 600;   // quiet time before the live region speaks while typing
  var FACETS = ["topic", "kind", "year", "author", "venue"];
  var LONG = { author: true, venue: true };
  var LABELS = { topic: "Topic", kind: "Kind", year: "Year", author: "Author", venue: "Venue" };
  var TEXT_BIT = 1 << FACETS.length;

  var hook = (window.roundupBrowse = {
    ready: false, lastFilterMs: null, lastPaintMs: null, loadMs: null,
    filterCount: 0, matched: null, error: null
  });

  var root = document.getElementById("roundup-browse");
  if (!root) return;
  var form = root.querySelector("form");
  var qInput = document.getElementById("rb-q");
  var list = document.getElementById("rb-list");
  var countEl = document.getElementById("rb-count");
  var live = document.getElementById("rb-live");
  var chips = document.getElementById("rb-chips");
  var clearBtn = document.getElementById("rb-clear");
  var moreBtn = document.getElementById("rb-show-more");
  var details = document.getElementById("rb-filters");
  var activeCount = document.getElementById("rb-active-count");
  var contentRoot = document.documentElement.dataset.content_root || "";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  var nf = new Intl.NumberFormat("en");
  function plural(n, one, many) { return nf.format(n) + " " + (n === 1 ? one : many); }

  // -- data -------------------------------------------------------------------

  var facets = {};     // key -> {values: [{key, label, fold}], byKey: Map, sel: Uint8Array, ...}
  var entries = [];    // [{data, topic, kind, year, author: [..], venue, text}]

  function facet(key, pairs) {
    var values = pairs.map(function (p, i) {
      return { key: String(p[0]), label: String(p[1]), fold: fold(String(p[1])), index: i };
    });
    var byKey = new Map();
    values.forEach(function (v) { byKey.set(v.key, v.index); });
    return {
      key: key, values: values, byKey: byKey, sel: new Uint8Array(values.length),
      nsel: 0, counts: new Int32Array(values.length), total: new Int32Array(values.length),
      ul: root.querySelector('[data-facet="' + key + '"] .rb-values'),
      items: new Map(), shown: [], expanded: false, find: ""
    };
  }

  function prepare(data) {
    var years = new Set();
    data.entries.forEach(function (e) { years.add(e.date.slice(0, 4)); });
    var yearPairs = Array.from(years).sort().reverse().map(function (y) { return [y, y]; });
    facets.topic = facet("topic", data.topics);
    facets.kind = facet("kind", data.kinds.map(function (k) { return [k, k]; }));
    facets.year = facet("year", yearPairs);
    facets.author = facet("author", data.authors);
    facets.venue = facet("venue", data.venues);
    var topicIx = facets.topic.byKey, kindIx = facets.kind.byKey, yearIx = facets.year.byKey;
    entries = data.entries.map(function (e) {
      var authors = e.authors || [];
      var names = authors.map(function (i) { return data.authors[i][1]; });
      var venue = e.venue == null ? -1 : e.venue;
      var text = [e.title, names.join(" "), venue < 0 ? "" : data.venues[venue][1], e.excerpt || ""]
        .join("\n");
      var item = {
        data: e, names: names, venueName: venue < 0 ? "" : data.venues[venue][1],
        topic: e.topic == null || !topicIx.has(e.topic) ? -1 : topicIx.get(e.topic),
        kind: kindIx.has(e.kind) ? kindIx.get(e.kind) : -1,
        year: yearIx.get(e.date.slice(0, 4)),
        author: authors, venue: venue, text: fold(text)
      };
      return item;
    });
    FACETS.forEach(function (key, k) {
      facets[key].bit = 1 << k;
      facets[key].multi = key === "author";
    });
    // totals, for a stable order of facet values that have no matches
    entries.forEach(function (item) { tally(item, 0, FACETS.length, "total"); });
  }

  // -- state and URL ------------------------------------------------------------

  function readURL() {
    var params = new URLSearchParams(location.search);
    var ignored = [];
    qInput.value = params.get("text") || "";
    FACETS.forEach(function (key) {
      var f = facets[key];
      f.sel.fill(0);
      f.nsel = 0;
      params.getAll(key).forEach(function (value) {
        value.split(",").forEach(function (part) {
          if (!part) return;
          if (f.byKey.has(part)) {
            var i = f.byKey.get(part);
            if (!f.sel[i]) { f.sel[i] = 1; f.nsel++; }
          } else {
            ignored.push(LABELS[key].toLowerCase() + " " + part);
          }
        });
      });
    });
    return ignored;
  }

  function stateQuery() {
    var params = new URLSearchParams();
    var q = qInput.value.trim();
    if (q) params.append("text", q);
    FACETS.forEach(function (key) {
      var f = facets[key];
      if (!f.nsel) return;
      f.values.forEach(function (v) { if (f.sel[v.index]) params.append(key, v.key); });
    });
    var s = params.toString();
    return s ? "?" + s : "";
  }

  var lastHistory = null;   // "text" while a run of typing replaces its own history entry
  function writeURL(source) {
    var query = stateQuery();
    if (query === location.search) return;
    var url = location.pathname + query + location.hash;
    if (source === "text" && lastHistory === "text") {
      history.replaceState({ roundupBrowse: true }, "", url);
    } else {
      history.pushState({ roundupBrowse: true }, "", url);
    }
    lastHistory = source;
  }

  // -- filtering ----------------------------------------------------------------

  var textQuery = null;
  var textOk = null;   // Uint8Array: entry matches the words
  var matched = [];
  var shown = 0;

  function terms(q) {
    return fold(q).split(/\s+/).filter(Boolean);
  }

  function passes(item, f) {
    var v = item[f.key];
    if (f.multi) {
      for (var i = 0; i < v.length; i++) if (f.sel[v[i]]) return true;
      return false;
    }
    return v >= 0 && f.sel[v] === 1;
  }

  function filter() {
    var q = qInput.value;
    var words = terms(q);
    var n = entries.length;
    if (textQuery !== words.join(" ")) {
      textQuery = words.join(" ");
      textOk = new Uint8Array(n);
      for (var i = 0; i < n; i++) {
        var text = entries[i].text, ok = 1;
        for (var w = 0; w < words.length; w++) {
          if (text.indexOf(words[w]) < 0) { ok = 0; break; }
        }
        textOk[i] = ok;
      }
    }
    var active = FACETS.map(function (key) { return facets[key]; })
      .filter(function (f) { return f.nsel > 0; });
    FACETS.forEach(function (key) { facets[key].counts.fill(0); });
    matched = [];
    for (var j = 0; j < n; j++) {
      var item = entries[j];
      var mask = textOk[j] ? 0 : TEXT_BIT;
      for (var a = 0; a < active.length; a++) {
        if (!passes(item, active[a])) mask |= active[a].bit;
      }
      if (mask === 0) {
        matched.push(j);
        tally(item, 0, FACETS.length, "counts");
      } else if (mask !== TEXT_BIT && (mask & (mask - 1)) === 0) {
        var only = 31 - Math.clz32(mask);   // fails one facet: counts for that facet only
        tally(item, only, only + 1, "counts");
      }
    }
  }

  // add one to the counters (`which`: "counts" or "total") of the item's values in facets [from, to)
  function tally(item, from, to, which) {
    for (var k = from; k < to; k++) {
      var key = FACETS[k], v = item[key], counts = facets[key][which];
      if (key === "author") {
        for (var i = 0; i < v.length; i++) counts[v[i]]++;
      } else if (v >= 0) {
        counts[v]++;
      }
    }
  }

  // -- rendering: facets ----------------------------------------------------------

  function valueItem(f, v) {
    var li = f.items.get(v.index);
    if (li) return li;
    li = el("li", "rb-value");
    var id = "rb-" + f.key + "-" + v.index;
    var input = el("input");
    input.type = "checkbox";
    input.name = f.key;
    input.value = v.key;
    input.id = id;
    var label = el("label");
    label.htmlFor = id;
    label.appendChild(el("span", "rb-value-label", v.label));
    label.appendChild(document.createTextNode(" "));
    label.appendChild(el("span", "rb-value-count"));
    li.appendChild(input);
    li.appendChild(label);
    li._input = input;
    li._count = label.lastChild;
    f.items.set(v.index, li);
    return li;
  }

  function order(f) {
    var counts = f.counts, total = f.total;
    if (!LONG[f.key]) {   // short facets keep their natural order; values no entry has go
      return f.values.filter(function (v) { return total[v.index] > 0 || f.sel[v.index]; });
    }
    var candidates;
    if (f.find) {
      var needle = fold(f.find);
      candidates = f.values.filter(function (v) {
        return f.sel[v.index] || (counts[v.index] > 0 && v.fold.indexOf(needle) >= 0);
      });
    } else {
      candidates = f.values.filter(function (v) { return f.sel[v.index] || counts[v.index] > 0; });
    }
    candidates.sort(function (a, b) {
      return (f.sel[b.index] - f.sel[a.index]) || (counts[b.index] - counts[a.index]) ||
        (total[b.index] - total[a.index]) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
    });
    f.available = candidates.length;
    var limit = f.expanded ? candidates.length : f.find ? FIND_LIMIT : TOP;
    var keep = Math.max(limit, f.nsel);
    return candidates.length > keep ? candidates.slice(0, keep) : candidates;
  }

  function renderFacet(f) {
    var values = order(f);
    var same = values.length === f.shown.length &&
      values.every(function (v, i) { return f.shown[i] === v.index; });
    if (!same) {
      var focused = document.activeElement;
      var focusedValue = focused && focused.name === f.key && f.ul.contains(focused) ? focused.value : null;
      f.ul.replaceChildren.apply(f.ul, values.map(function (v) { return valueItem(f, v); }));
      f.shown = values.map(function (v) { return v.index; });
      if (focusedValue !== null && f.byKey.has(focusedValue)) {
        var again = f.items.get(f.byKey.get(focusedValue));
        if (again && again.isConnected) again._input.focus();
      }
    }
    values.forEach(function (v) {
      var li = f.items.get(v.index), n = f.counts[v.index];
      li._input.checked = f.sel[v.index] === 1;
      li._count.textContent = "(" + nf.format(n) + ")";
      li.classList.toggle("rb-empty", n === 0);
    });
    if (LONG[f.key]) renderMoreValues(f);
  }

  function renderMoreValues(f) {
    var btn = root.querySelector('[data-more="' + f.key + '"]');
    var plain = f.key + "s";
    var limit = f.find ? FIND_LIMIT : TOP;
    if (f.expanded) {
      btn.hidden = f.available <= limit;
      btn.textContent = "Show fewer " + plain;
    } else {
      btn.hidden = f.available <= limit;
      btn.textContent = "Show all " + nf.format(f.available) + " " + plain;
    }
    btn.setAttribute("aria-expanded", f.expanded ? "true" : "false");
    f.ul.classList.toggle("rb-scroll", f.expanded && f.available > limit);
  }

  // -- rendering: results ---------------------------------------------------------

  function entryItem(item) {
    var e = item.data;
    var li = el("li", "rb-entry");
    var title = el("a", "rb-title", e.title);
    title.href = contentRoot + e.permalink;
    var head = el("p", "rb-head");
    head.appendChild(title);
    li.appendChild(head);
    var meta = el("p", "rb-meta");
    var by = item.names.join(", ");
    if (by) meta.appendChild(el("span", "rb-authors", by));
    if (item.venueName) meta.appendChild(el("span", "rb-venue", item.venueName));
    var issue = el("a", "rb-issue", "Issue " + e.issue);
    issue.href = contentRoot + e.permalink.split("#")[0];
    var when = el("span", "rb-when");
    when.appendChild(issue);
    when.appendChild(document.createTextNode(", " + e.date));
    meta.appendChild(when);
    li.appendChild(meta);
    var badges = el("p", "rb-badges");
    if (item.topic >= 0) badges.appendChild(el("span", "rb-badge rb-badge-topic", facets.topic.values[item.topic].label));
    if (e.kind && e.kind !== "article") badges.appendChild(el("span", "rb-badge rb-badge-kind", e.kind));
    var source = el("a", "rb-source", "source");
    source.href = e.url;
    source.rel = "noopener";
    source.setAttribute("aria-label", "source of " + e.title);
    badges.appendChild(source);
    li.appendChild(badges);
    if (e.excerpt) li.appendChild(el("p", "rb-excerpt", e.excerpt));
    return li;
  }

  function renderResults() {
    var frag = document.createDocumentFragment();
    var end = Math.min(matched.length, PAGE);
    for (var i = 0; i < end; i++) frag.appendChild(entryItem(entries[matched[i]]));
    list.replaceChildren(frag);
    shown = end;
    renderShowMore();
  }

  function renderShowMore() {
    var rest = matched.length - shown;
    moreBtn.hidden = rest <= 0;
    if (rest > 0) moreBtn.textContent = "Show " + nf.format(Math.min(rest, PAGE)) + " more (" + nf.format(rest) + " not shown)";
  }

  function showMore() {
    var frag = document.createDocumentFragment();
    var start = shown, end = Math.min(matched.length, shown + PAGE);
    for (var i = start; i < end; i++) frag.appendChild(entryItem(entries[matched[i]]));
    list.appendChild(frag);
    shown = end;
    renderShowMore();
    var first = list.children[start];
    if (first) first.querySelector("a").focus();   // keyboard users continue where the new ones start
  }

  function summary() {
    var n = matched.length;
    if (entries.length === 0) return "There are no entries yet.";
    if (n === entries.length) return "All " + plural(n, "entry", "entries") + ", newest first.";
    if (n === 0) return "No entries match. Remove a filter or change the words.";
    return plural(n, "entry matches", "entries match") + " the filters, newest first.";
  }

  function chip(facetKey, valueKey, name, label) {
    var btn = el("button", "rb-chip btn btn-sm");
    btn.type = "button";
    btn.dataset.facet = facetKey;
    btn.dataset.value = valueKey;
    btn.setAttribute("aria-label", "Remove filter " + name + ": " + label);
    btn.appendChild(el("span", "rb-chip-facet", name + ": "));
    btn.appendChild(document.createTextNode(label + " "));
    btn.appendChild(el("span", "rb-chip-x", "\u00d7"));
    btn.lastChild.setAttribute("aria-hidden", "true");
    return btn;
  }

  function renderChips() {
    var nodes = [];
    var total = 0;
    var q = qInput.value.trim();
    if (q) nodes.push(chip("text", "", "Words", q));
    FACETS.forEach(function (key) {
      var f = facets[key];
      if (!f.nsel) return;
      f.values.forEach(function (v) {
        if (!f.sel[v.index]) return;
        total++;
        nodes.push(chip(key, v.key, LABELS[key], v.label));
      });
    });
    if (nodes.length > 1) nodes.push(clearBtn);
    chips.replaceChildren.apply(chips, nodes);
    chips.hidden = nodes.length === 0;
    activeCount.textContent = total ? "(" + total + " active)" : "";
  }

  var announceTimer = null;
  function announce(text, wait) {
    clearTimeout(announceTimer);
    if (!wait) { live.textContent = text; return; }
    announceTimer = setTimeout(function () { live.textContent = text; }, ANNOUNCE_MS);
  }

  // -- update cycle ---------------------------------------------------------------

  function update(source, t0) {
    var start = t0 == null ? performance.now() : t0;
    filter();
    FACETS.forEach(function (key) { renderFacet(facets[key]); });
    renderChips();
    renderResults();
    var text = summary();
    countEl.textContent = text;
    announce(text, source === "text" || source === "find");
    var done = performance.now();
    hook.lastFilterMs = done - start;
    hook.filterCount++;
    hook.matched = matched.length;
    requestAnimationFrame(function () {
      setTimeout(function () { hook.lastPaintMs = performance.now() - start; }, 0);
    });
  }

  function refreshFacet(f) {   // only one facet's list changed (find box, show all)
    renderFacet(f);
  }

  // -- events ---------------------------------------------------------------------

  function bind() {
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    qInput.addEventListener("input", function (event) {
      var t0 = performance.now();
      update("text", t0);
      writeURL("text");
    });
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (input.type !== "checkbox" || !facets[input.name]) return;
      var t0 = performance.now();
      var f = facets[input.name], i = f.byKey.get(input.value);
      if (input.checked && !f.sel[i]) { f.sel[i] = 1; f.nsel++; }
      if (!input.checked && f.sel[i]) { f.sel[i] = 0; f.nsel--; }
      update("facet", t0);
      writeURL("facet");
    });
    root.querySelectorAll("[data-find]").forEach(function (input) {
      input.addEventListener("input", function () {
        var f = facets[input.dataset.find];
        f.find = input.value.trim();
        refreshFacet(f);
      });
    });
    root.querySelectorAll("[data-more]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var f = facets[btn.dataset.more];
        f.expanded = !f.expanded;
        refreshFacet(f);
      });
    });
    chips.addEventListener("click", function (event) {
      var btn = event.target.closest(".rb-chip");
      if (!btn) return;
      var next = btn.nextElementSibling || btn.previousElementSibling;
      if (btn.dataset.facet === "text") {
        qInput.value = "";
      } else {
        var f = facets[btn.dataset.facet], i = f.byKey.get(btn.dataset.value);
        if (f.sel[i]) { f.sel[i] = 0; f.nsel--; }
      }
      update("facet");
      writeURL("facet");
      // keep focus in the chip row, else on the search box
      var target = next && next.classList.contains("rb-chip") && chips.querySelector(
        '[data-facet="' + next.dataset.facet + '"][data-value="' + CSS.escape(next.dataset.value) + '"]');
      (target || qInput).focus();
    });
    clearBtn.addEventListener("click", function (event) {
      event.stopPropagation();
      qInput.value = "";
      FACETS.forEach(function (key) { facets[key].sel.fill(0); facets[key].nsel = 0; });
      update("facet");
      writeURL("facet");
      qInput.focus();
    });
    moreBtn.addEventListener("click", showMore);
    window.addEventListener("popstate", function () {
      readURL();
      lastHistory = null;
      update("history");
    });
  }

  // -- start ----------------------------------------------------------------------

  function start(data) {
    var t0 = performance.now();
    prepare(data);
    var ignored = readURL();
    bind();
    if (window.matchMedia && window.matchMedia("(max-width: 47.99em)").matches) {
      details.open = false;   // phones: results first, filters one tap away
    }
    update("load");
    if (ignored.length) {
      countEl.textContent += " Ignored unknown filter" + (ignored.length > 1 ? "s" : "") + ": " + ignored.join(", ") + ".";
    }
    hook.loadMs = performance.now() - t0;
    hook.ready = true;
    root.classList.add("rb-ready");
    document.dispatchEvent(new CustomEvent("roundup-browse:ready"));
  }

  function fail(message) {
    hook.error = message;
    countEl.textContent = message;
    announce(message, false);
  }

  fetch(root.dataset.src, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      if (!data || data.version !== 1 || !Array.isArray(data.entries)) {
        throw new Error("unexpected format (version " + (data && data.version) + ")");
      }
      start(data);
    })
    .catch(function (error) {
      fail("Could not load the list of entries (" + root.dataset.src.split("?")[0] + "): " +
        error.message + ". Opened from a file? Serve the site over HTTP, for example " +
        "with python3 -m http.server in the output folder.");
    });
})();
