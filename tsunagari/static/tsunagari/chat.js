// Progressive enhancement of the chat: keep the answer in view and send with Ctrl+Enter.
// Everything works without this file (plain forms, server-rendered pages).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var first = document.querySelector(".crisis-lines, .finder-question, .finder-results");
    if (first && first.scrollIntoView) first.scrollIntoView({ block: "start" });
    var box = document.querySelector(".finder-message textarea");
    if (box) {
      box.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          box.form.submit();
        }
      });
    }
  });
})();
