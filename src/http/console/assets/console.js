// The console's own client code: as little as possible. No inline script anywhere (CSP script-src 'self').
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  // Every htmx request carries the session's CSRF token (console-csrf.ts checks it on state changes).
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (meta) event.detail.headers["x-csrf-token"] = meta.getAttribute("content");
  });
  // A session that ended while a page polled: go to the sign-in page rather than swap its HTML in.
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 401)
      window.location.assign(
        "/admin/sign-in?next=" + encodeURIComponent(location.pathname + location.search),
      );
  });
  // <button data-confirm="Cancel the campaign?"> asks before its form is sent.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var text =
      (submitter && submitter.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (text && !window.confirm(text)) event.preventDefault();
  });
})();
