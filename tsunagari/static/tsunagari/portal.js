// Quick exit, and a site that leaves one entry in the browser's history (docs/safety.md).
//
// While this script runs, every move inside the site (links and forms) replaces the current
// history entry instead of adding one, so the whole visit is a single entry. The quick exit
// replaces that entry with a neutral page: Back then goes to whatever was open before the site,
// never to a page that shows what was searched or read. Esc pressed twice does the same.
// Without JavaScript the site works as before, and Back shows the previous pages (see the docs).
(function () {
  "use strict";
  var button = document.querySelector("[data-quick-exit]");
  if (!button) return;
  var here = window.location.origin;

  function leave(event) {
    if (event) event.preventDefault();
    document.body.innerHTML = "";
    document.title = "";
    window.location.replace(button.href);
  }
  button.addEventListener("click", leave);
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    if (now - lastEscape < 800) leave(event);
    lastEscape = now;
  });

  function sameSite(url) {
    return url.origin === here && (url.protocol === "http:" || url.protocol === "https:");
  }

  // Links: same-site pages open in place of this one. New tabs, downloads, tel: and other sites
  // are left to the browser.
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link === button || link.target || link.hasAttribute("download")) return;
    var url = new URL(link.href, window.location.href);
    if (!sameSite(url)) return;
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) return;
    event.preventDefault();
    window.location.replace(url.href);
  });

  // Forms: a GET form becomes the address it would open; a POST form is sent with fetch and the
  // page it leads to replaces this one. Anything else (a file upload, an error) submits as usual.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form || form.target) return;
    var action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    if (!sameSite(action)) return;
    var method = (form.getAttribute("method") || "get").toLowerCase();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
    if (method === "get") {
      event.preventDefault();
      action.search = new URLSearchParams(data).toString();
      window.location.replace(action.href);
      return;
    }
    if (method !== "post" || !window.fetch || form.enctype === "multipart/form-data") return;
    event.preventDefault();
    fetch(action.href, { method: "POST", body: new URLSearchParams(data), credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected && !sameSite(new URL(response.url))) {
          window.location.replace(response.url);
          return;
        }
        return response.text().then(function (html) {
          // The answer is a page of its own (e.g. a form with errors), or the page the action led to.
          // That page is shown as fetched, in this entry with its address: opening it again would
          // lose the message it carries ("saved", or what to correct), which is shown only once.
          if (response.redirected) window.history.replaceState(null, "", response.url);
          document.open();
          document.write(html);
          document.close();
        });
      })
      .catch(function () {
        form.submit();
      });
  });
})();
