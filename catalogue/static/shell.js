/* The catalogue shell: tree filter, theme/viewport toolbar, tabs, a11y results, frame heights.
   Vanilla, no requests except (over HTTP) to the catalogue's own a11y/*.json. */
(function () {
  "use strict";
  var doc = document;
  var params = new URLSearchParams(location.search);
  var mode = { theme: params.get("theme") || "dark", viewport: params.get("viewport") || "desktop" };
  var WIDTH = { mobile: 360, desktop: 480 };

  if (location.protocol === "file:") {
    doc.querySelectorAll("[data-http-only]").forEach(function (el) { el.hidden = true; });
  }

  /* Tree filter */
  var filter = doc.getElementById("cat-filter");
  function applyFilter() {
    var q = (filter.value || "").trim().toLowerCase();
    var shown = 0;
    doc.querySelectorAll("[data-leaf]").forEach(function (leaf) {
      var hit = !q || leaf.getAttribute("data-search").indexOf(q) !== -1;
      leaf.hidden = !hit;
      if (hit) shown++;
    });
    doc.querySelectorAll("[data-group]").forEach(function (group) {
      group.hidden = !group.querySelector("[data-leaf]:not([hidden])");
    });
    var none = doc.getElementById("cat-no-match");
    if (none) none.hidden = shown > 0;
  }
  if (filter) {
    filter.value = params.get("q") || "";
    filter.addEventListener("input", applyFilter);
    applyFilter();
  }

  /* Toolbar: theme and viewport, carried to the next story in the query string */
  var frame = doc.getElementById("cat-frame");
  function applyMode() {
    doc.documentElement.setAttribute("data-theme", mode.theme);
    doc.querySelectorAll("[data-set-theme]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-set-theme") === mode.theme));
    });
    doc.querySelectorAll("[data-set-viewport]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-set-viewport") === mode.viewport));
    });
    doc.querySelectorAll("[data-only-theme]").forEach(function (el) {
      el.hidden = el.getAttribute("data-only-theme") !== mode.theme;
    });
    if (frame) {
      var src = frame.getAttribute("data-frame-" + mode.theme + "-" + mode.viewport);
      if (frame.getAttribute("src") !== src) frame.setAttribute("src", src);
      frame.width = String(WIDTH[mode.viewport]);
      var open = doc.getElementById("cat-open-frame");
      if (open) open.setAttribute("href", src);
    }
    var query = "?theme=" + mode.theme + "&viewport=" + mode.viewport;
    doc.querySelectorAll("[data-story-link]").forEach(function (a) {
      a.setAttribute("href", a.getAttribute("href").split("?")[0] + query);
    });
    if (history.replaceState && frame) history.replaceState(null, "", query + location.hash);
  }
  doc.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-set-theme],[data-set-viewport]");
    if (!b) return;
    if (b.hasAttribute("data-set-theme")) mode.theme = b.getAttribute("data-set-theme");
    else mode.viewport = b.getAttribute("data-set-viewport");
    applyMode();
  });
  if (frame) applyMode();

  /* Tabs (WAI-ARIA tabs pattern), the open tab kept in the hash */
  var tabs = Array.prototype.slice.call(doc.querySelectorAll("[role=tab]"));
  function select(tab) {
    tabs.forEach(function (t) {
      var on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      doc.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    });
    if (history.replaceState) history.replaceState(null, "", location.search + "#" + tab.id.slice(4));
  }
  tabs.forEach(function (tab, i) {
    tab.addEventListener("click", function () { select(tab); });
    tab.addEventListener("keydown", function (ev) {
      var step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      var next = tabs[(i + step + tabs.length) % tabs.length];
      select(next);
      next.focus();
    });
  });
  var initial = location.hash && doc.getElementById("tab-" + location.hash.slice(1));
  if (initial) select(initial);

  /* Accessibility results: fetched over HTTP (fresh), else embedded at build time */
  function showA11y(theme, data) {
    var out = doc.querySelector("[data-a11y-out='" + theme + "']");
    if (!out || !data) return;
    out.textContent = "";
    var head = doc.createElement("p");
    var n = (data.violations || []).length;
    head.textContent = "axe " + (data.axe || "") + " · " + theme + " theme: " + n + " violation(s), " +
      (data.blocking || 0) + " serious or critical.";
    out.appendChild(head);
    (data.violations || []).forEach(function (v) {
      var div = doc.createElement("div");
      div.className = "cat-violation cat-violation--" + v.impact;
      div.textContent = "[" + v.impact + "] " + v.id + ": " + v.help + " (" + (v.nodes || []).length + " node(s))";
      out.appendChild(div);
    });
  }
  var a11y = doc.getElementById("cat-a11y");
  if (a11y) {
    doc.querySelectorAll("[data-a11y-embedded]").forEach(function (el) {
      showA11y(el.getAttribute("data-a11y-embedded"), JSON.parse(el.textContent));
    });
    if (location.protocol !== "file:" && window.fetch) {
      ["dark", "light"].forEach(function (theme) {
        fetch(a11y.getAttribute("data-a11y-base") + theme + ".json")
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) { showA11y(theme, data); })
          .catch(function () {});
      });
    }
  }

  /* Frames report their height (postMessage works from file://) */
  window.addEventListener("message", function (ev) {
    var h = ev.data && ev.data.aiCreditsFrameHeight;
    if (!h) return;
    doc.querySelectorAll("iframe").forEach(function (f) {
      if (f.contentWindow === ev.source) f.height = String(Math.min(Math.max(h, 200), 3000));
    });
  });

  /* Coverage: only missing transitions */
  var only = doc.getElementById("cat-only-missing");
  if (only) only.addEventListener("change", function () {
    doc.querySelectorAll("#cat-transitions tbody tr").forEach(function (tr) {
      tr.hidden = only.checked && tr.getAttribute("data-covered") === "yes";
    });
  });
})();
