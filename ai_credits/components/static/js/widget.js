/* ai-credits widget behaviours: vanilla, no dependencies, no requests except to data-post-url
   (and data-wallet-url, where a host bridges the browser wallet: window.ethereum).
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

  function init(root, quiet) {
    root.setAttribute("data-js", "");
    if (!timer && doc.querySelector("[data-stream-counter]")) timer = setInterval(tick, 1000);
    tick();
    if (!quiet) focusFirst(root, null);
    bridge(root);
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

  function post(root, body, csrf, after, url) {
    var headers = { "Content-Type": "application/json", Accept: "text/html" };
    if (csrf) headers["X-CSRF-Token"] = csrf;
    root.setAttribute("aria-busy", "true");
    root.removeAttribute("data-post-error");
    fetch(url || root.getAttribute("data-post-url"), {
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

  /* ---- Wallet bridge: a host that sets data-wallet-url on the root (ai_credits.host) hands the
     wallet's requests to the page in data-wallet-request; they run with window.ethereum
     (EIP-1193) and the answer — account, hash, signature or the error (4001: cancelled) — is
     posted back, as are chainChanged / accountsChanged. The host's answer replaces the widget. */
  var done = {}; /* request ids this page ran: a request is run once */
  var watching = false;

  function provider() {
    var eth = window.ethereum;
    return eth && typeof eth.request === "function" ? eth : null;
  }

  function report(root, body) {
    var url = root.getAttribute("data-wallet-url");
    if (url) post(root, body, root.getAttribute("data-csrf"), null, url);
  }

  function errorOf(e) {
    var code = e && (e.code !== undefined ? e.code : e.error && e.error.code);
    var message = e && (e.message || (e.error && e.error.message));
    return { code: code === undefined ? "unknown" : code, message: String(message || "").slice(0, 300) };
  }

  function walletCall(eth, request) {
    var kind = request.kind;
    if (kind === "connect") {
      return eth.request({ method: "eth_requestAccounts", params: [] }).then(function (accounts) {
        return eth.request({ method: "eth_chainId", params: [] }).then(function (chainId) {
          return { account: accounts && accounts[0], chain_id: String(chainId) };
        });
      });
    }
    return eth.request({ method: request.method, params: request.params }).then(function (value) {
      if (kind === "send_transaction") return { tx_hash: value };
      if (kind === "sign_message") return { signature: value };
      return {};
    });
  }

  function watch(eth) {
    if (watching || typeof eth.on !== "function") return;
    watching = true;
    function current() { return doc.querySelector(ROOT + "[data-wallet-url]"); }
    eth.on("chainChanged", function (chainId) {
      var root = current();
      if (root && root.getAttribute("data-state") !== "disconnected") {
        report(root, { kind: "chain_changed", chain_id: String(chainId) });
      }
    });
    eth.on("accountsChanged", function (accounts) {
      var root = current();
      if (root && root.getAttribute("data-state") !== "disconnected") {
        report(root, { kind: "accounts_changed", accounts: accounts || [] });
      }
    });
  }

  function noWallet(root) {
    if (root.getAttribute("data-state") !== "disconnected" || root.querySelector("[data-no-wallet]")) return;
    var note = doc.createElement("p");
    note.className = "gw-caption";
    note.setAttribute("role", "status");
    note.setAttribute("data-no-wallet", "");
    note.textContent = "No wallet found in this browser. Install a wallet such as MetaMask to " +
      "pay with G$, or use your own provider key.";
    var connect = root.querySelector('button[value="connect"]');
    if (connect) {
      connect.setAttribute("aria-disabled", "true");
      connect.setAttribute("aria-describedby", "gw-no-wallet");
      note.id = "gw-no-wallet";
      connect.closest("form").insertAdjacentElement("afterend", note);
    } else {
      root.appendChild(note);
    }
  }

  function bridge(root) {
    if (!root.hasAttribute("data-wallet-url")) return;
    var eth = provider();
    if (!eth) { noWallet(root); return; }
    watch(eth);
    var raw = root.getAttribute("data-wallet-request");
    if (!raw) return;
    var request;
    try { request = JSON.parse(raw); } catch (e) { return; }
    if (!request || done[request.request_id]) return;
    done[request.request_id] = true;
    root.setAttribute("data-wallet-open", request.kind);
    root.setAttribute("aria-busy", "true");
    walletCall(eth, request).then(
      function (value) {
        value.request_id = request.request_id;
        value.kind = request.kind;
        return value;
      },
      function (e) { return { request_id: request.request_id, kind: request.kind, error: errorOf(e) }; }
    ).then(function (body) {
      var live = root.isConnected ? root : doc.querySelector(ROOT + "[data-wallet-url]");
      if (!live) return;
      live.removeAttribute("aria-busy");
      live.removeAttribute("data-wallet-open");
      report(live, body);
    });
  }
  /* ---- end wallet bridge */

  /* ---- Gentle refresh: a quote is re-priced and a running stream re-credited about once a
     minute while the page is visible and nobody is typing (the machine decides what Refresh
     does in each state; a frozen story page never posts). */
  var REFRESH_MS = 60000;
  var REFRESHED = { quote_ready: 1, streaming_setup: 1, streaming_active: 1 };
  setInterval(function () {
    if (doc.hidden) return;
    var roots = doc.querySelectorAll(ROOT + "[data-post-url]:not([data-frozen])");
    for (var i = 0; i < roots.length; i++) {
      var root = roots[i], active = doc.activeElement;
      if (!REFRESHED[root.getAttribute("data-state")]) continue;
      if (root.getAttribute("aria-busy") === "true" || (active && root.contains(active) &&
          active.tagName === "INPUT")) continue;
      var token = root.querySelector("input[name='" + CSRF + "']");
      post(root, { type: "refresh" }, token && token.value);
    }
  }, REFRESH_MS);

  function ready() {
    doc.documentElement.setAttribute("data-widget-ready", "true");
  }

  function boot() {
    var roots = doc.querySelectorAll(ROOT);
    /* in a frame, loading takes no focus: it would scroll the embedding page to the frame */
    var framed = window.self !== window.top;
    for (var i = 0; i < roots.length; i++) init(roots[i], framed);
    requestAnimationFrame(function () {
      var fonts = doc.fonts && doc.fonts.ready ? doc.fonts.ready : Promise.resolve();
      fonts.then(ready, ready);
    });
  }

  window.AiCreditsWidget = { init: init, tick: tick, formatMicro: formatMicro };
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
