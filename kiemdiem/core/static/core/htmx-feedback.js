// When an htmx request fails (the server answered with an error, or could not be reached, e.g.
// a phone that lost its network), htmx swaps nothing. An element that asks for it (the target
// with data-error-text / data-offline-text, such as the self-review editor's status line)
// says so instead: otherwise a member could believe a save had gone through.
(function () {
  function say(event, key) {
    var target = event.detail && event.detail.target;
    if (!target || !target.dataset || !target.dataset[key]) return;
    target.textContent = target.dataset[key];
    target.classList.add("error");
    target.setAttribute("role", "alert");
  }
  document.addEventListener("htmx:responseError", function (e) { say(e, "errorText"); });
  document.addEventListener("htmx:sendError", function (e) { say(e, "offlineText"); });
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail && e.detail.target;
    if (target && target.dataset && target.dataset.errorText) {
      target.classList.remove("error");
      target.setAttribute("role", "status");
    }
  });
})();
