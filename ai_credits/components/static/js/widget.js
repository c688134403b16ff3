/* ai-credits widget behaviours: vanilla, no dependencies, no requests except to data-post-url.
   Every action also works without this script (plain form posts); it adds copy, local reveal,
   the stream counter, JSON event posting and focus management. Public: window.AiCreditsWidget. */
(function () {
  "use strict";
  var doc = document;
  var ROOT = ".gw-root";
  var COPIED_MS = 2000;
  var CSRF = "csrf_token"; /* a host's anti-forgery field: sent as the X-CSRF-Token header */
  var timer = 0;

  function rootOf(el) {
    return el && el.closest ? el.closest(ROOT) : null;
  }

  function announce(btn, text) {
    var region = doc.getElementById(btn.getAttribute("data-status") || "");
    if (region) region.textContent = text;
  }

  function fallbackCopy(text) {
    var active = doc.activeElement;
    var ta = doc.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.cssText = "position:fixed;top:0;left:0;opacity:0";
    doc.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
    doc.body.removeChild(ta);
    if (active && active.focus) active.focus();
    return ok;
  }

  function writeClipboard(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return fallbackCopy(text); }
      );
    }
    return Promise.resolve(fallbackCopy(text));
  }

  function textToCopy(btn) {
    if (btn.hasAttribute("data-copy-text")) return btn.getAttribute("data-copy-text");
    var target = doc.getElementById(btn.getAttribute("data-copy-target") || "");
    if (!target) return null;
    return target.hasAttribute("data-value") ? target.getAttribute("data-value") : target.textContent;
  }

  function copy(btn) {
    var text = textToCopy(btn);
    if (text === null) return;
    writeClipboard(text).then(function (ok) {
      clearTimeout(btn.gwCopyTimer);
      if (!ok) {
        announce(btn, "Copy failed \u2014 select the text to copy it");
        return;
      }
      btn.setAttribute("data-copied", "");
      announce(btn, "Copied");
      btn.gwCopyTimer = setTimeout(function () {
        btn.removeAttribute("data-copied");
        announce(btn, "");
      }, COPIED_MS);
    });
  }

  /* Local reveal/hide: only when the full value is in the page (data-value on the target). */
  function reveal(btn) {
    var target = doc.getElementById(btn.getAttribute("data-reveal") || "");
    if (!target || !target.hasAttribute("data-value")) return false;
    var show = !btn.hasAttribute("data-revealed");
    target.textContent = target.getAttribute(show ? "data-value" : "data-masked");
    btn.toggleAttribute("data-revealed", show);
    var label = btn.getAttribute(show ? "data-label-hide" : "data-label-show");
    if (label) btn.setAttribute("aria-label", label);
    return true;
  }

  function formatMicro(micro, decimals, prefix) {
    var units = Math.floor(Math.max(0, micro));
    var whole = String(Math.floor(units / 1e6)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var frac = String((units % 1e6) + 1e6).slice(1, 1 + decimals);
    return prefix + whole + (decimals > 0 ? "." + frac : "");
  }

  /* Stream counters: value = base + rate * (now - as-of), not in any live region. */
  function tick() {
    var now = Date.now() / 1000;
    var els = doc.querySelectorAll("[data-stream-counter]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var root = rootOf(el);
      if (!root || root.hasAttribute("data-frozen")) continue;
      var base = Number(el.getAttribute("data-base-micro"));
      var rate = Number(el.getAttribute("data-rate-micro-per-s"));
      var asOf = Number(el.getAttribute("data-as-of"));
      if (!isFinite(base) || !isFinite(rate) || !isFinite(asOf)) continue;
      var decimals = Number(el.getAttribute("data-decimals") || 6);
      var prefix = el.getAttribute("data-prefix") || "US$";
      var text = formatMicro(base + rate * Math.max(0, now - asOf), decimals, prefix);
      if (el.textContent !== text) el.textContent = text;
    }
  }

  function focusFirst(root, id) {
    var el = (id && doc.getElementById(id)) || root.querySelector("[data-autofocus]");
    if (el && root.contains(el)) el.focus();
    return el;
  }

  function init(root) {
    root.setAttribute("data-js", "");
    if (!timer && doc.querySelector("[data-stream-counter]")) timer = setInterval(tick, 1000);
    tick();
    focusFirst(root, null);
  }

  function replace(root, html) {
    var focusedId = root.contains(doc.activeElement) ? doc.activeElement.id : "";
    var tpl = doc.createElement("template");
    tpl.innerHTML = html.trim();
    var next = tpl.content.querySelector(ROOT);
    if (!next) throw new Error("response has no widget root");
    root.replaceWith(tpl.content);
    init(next);
    if (!next.querySelector("[data-autofocus]") && !focusFirst(next, focusedId)) {
      next.setAttribute("tabindex", "-1");
      next.focus();
    }
  }

  /* {type, ...fields} of a submit, or null when the form posts no "event". */
  function eventOf(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    var body = { type: data.get("event") };
    if (!body.type) return null;
    data.forEach(function (value, key) {
      if (key !== "event" && key !== CSRF && typeof value === "string") body[key] = value;
    });
    return body;
  }

  function post(root, body, csrf, after) {
    var headers = { "Content-Type": "application/json", Accept: "text/html" };
    if (csrf) headers["X-CSRF-Token"] = csrf;
    root.setAttribute("aria-busy", "true");
    root.removeAttribute("data-post-error");
    fetch(root.getAttribute("data-post-url"), {
      method: "POST",
      headers: headers,
      body: JSON.stringify(body),
      credentials: "same-origin"
    })
      .then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.text();
      })
      .then(function (html) {
        var keep = after && after(); /* read the old page before it goes */
        replace(root, html);
        if (keep) keep();
      })
      .catch(function () {
        root.removeAttribute("aria-busy");
        root.setAttribute("data-post-error", "");
      });
  }

  doc.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button") : null;
    if (!btn || !rootOf(btn)) return;
    if (btn.getAttribute("aria-disabled") === "true") {
      ev.preventDefault();
    } else if (btn.hasAttribute("data-copy-target") || btn.hasAttribute("data-copy-text")) {
      ev.preventDefault();
      copy(btn);
    } else if (btn.hasAttribute("data-reveal") && reveal(btn)) {
      ev.preventDefault();
    }
  });

  doc.addEventListener("submit", function (ev) {
    var root = rootOf(ev.target);
    if (!root || !root.hasAttribute("data-post-url")) return;
    var submitter = ev.submitter || null;
    var body = eventOf(ev.target, submitter);
    if (!body) return; /* not a widget event: let the browser post it */
    ev.preventDefault();
    if (root.getAttribute("aria-busy") === "true") return;
    if (submitter && submitter.getAttribute("aria-disabled") === "true") return;
    var token = ev.target.elements ? ev.target.elements.namedItem(CSRF) : null;
    post(root, body, token && token.value);
  });

  /* ---- Live quote: typing in input[data-live-quote] posts its event after a pause; the
     machine judges, its answer replaces the widget. Without JS the form posts on Enter. */
  var QUOTE_MS = 450;

  function quoteLater(root) {
    clearTimeout(root.gwQuote);
    root.gwQuote = setTimeout(function () { quoteNow(root); }, QUOTE_MS);
  }

  function quoteNow(root) {
    var input = root.querySelector("input[data-live-quote]");
    var text = input ? input.value : "";
    if (!input || !text.trim() || text === input.defaultValue || !root.isConnected) return;
    if (root.getAttribute("aria-busy") === "true") return quoteLater(root);
    var body = { type: input.getAttribute("data-live-quote") };
    body[input.name] = text;
    var token = input.form ? input.form.elements.namedItem(CSRF) : null;
    post(root, body, token && token.value, function () {
      var typed = input.value, from = input.selectionStart, to = input.selectionEnd;
      var focused = doc.activeElement === input;
      return function () { /* keep what was typed meanwhile, the focus and the caret */
        var next = doc.getElementById(input.id);
        if (!next || !next.hasAttribute("data-live-quote")) return;
        if (typed !== text) { next.value = typed; quoteLater(rootOf(next)); }
        if (focused) { next.focus(); next.setSelectionRange(from, to); }
      };
    });
  }

  doc.addEventListener("input", function (ev) {
    var root = rootOf(ev.target);
    if (root && ev.target.hasAttribute("data-live-quote") && root.hasAttribute("data-post-url")) {
      quoteLater(root);
    }
  });
  doc.addEventListener("submit", function (ev) { /* a submit wins over a pending live quote */
    var root = rootOf(ev.target);
    if (root) clearTimeout(root.gwQuote);
  }, true);
  /* ---- end live quote */

  function ready() {
    doc.documentElement.setAttribute("data-widget-ready", "true");
  }

  function boot() {
    var roots = doc.querySelectorAll(ROOT);
    for (var i = 0; i < roots.length; i++) init(roots[i]);
    requestAnimationFrame(function () {
      var fonts = doc.fonts && doc.fonts.ready ? doc.fonts.ready : Promise.resolve();
      fonts.then(ready, ready);
    });
  }

  window.AiCreditsWidget = { init: init, tick: tick, formatMicro: formatMicro };
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
