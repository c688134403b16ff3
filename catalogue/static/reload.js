/* `ai-credits serve` only, never in a static build: reload when a rebuild changed this page, a frame
   it shows, or the assets (Server-Sent Events from /__reload).  The theme, viewport and open tab
   live in the URL, so a reload keeps them.  Frames inside a page leave it to the page. */
(function () {
  "use strict";
  if (window.top !== window || !window.EventSource) return;
  var root = document.documentElement;
  var server = null;
  var banner = null;
  var seen = 0;

  function relative(url) {
    var path = new URL(url, location.href).pathname.replace(/^\//, "");
    return path === "" || path.slice(-1) === "/" ? path + "index.html" : path;
  }
  function shown() {
    var paths = [relative(location.href)];
    document.querySelectorAll("iframe[src]").forEach(function (frame) {
      paths.push(relative(frame.src));
    });
    return paths;
  }

  var events = new EventSource("/__reload");
  events.addEventListener("hello", function (event) {
    var id = JSON.parse(event.data).server;
    if (server !== null && server !== id) location.reload(); /* a new server: maybe a new build */
    server = id;
    root.setAttribute("data-reload", "listening"); /* for tests and the curious */
  });
  events.addEventListener("rebuilt", function (event) {
    var changed = JSON.parse(event.data).changed;
    var mine = shown();
    var touched = changed.some(function (path) {
      return path.indexOf("assets/") === 0 || mine.indexOf(path) !== -1;
    });
    if (touched) return location.reload();
    if (banner) banner.hidden = true;
    root.setAttribute("data-reload-seen", String(++seen)); /* rebuilds that left this page as is */
  });
  events.addEventListener("failed", function (event) {
    var error = JSON.parse(event.data).error;
    if (!banner) {
      banner = document.createElement("div");
      banner.setAttribute("role", "alert");
      banner.setAttribute("data-testid", "rebuild-error");
      banner.style.cssText = "position:fixed;inset:0 0 auto 0;z-index:99;padding:8px 12px;" +
        "background:#7f1d1d;color:#fff;font:13px/1.4 monospace;white-space:pre-wrap";
      document.body.appendChild(banner);
    }
    banner.textContent = "Rebuild failed: " + error;
    banner.hidden = false;
  });
})();
