// The demo outbox refreshes its lists every 3 seconds, keeping the search and the page
// (the same query string), only when something new arrived, and never while text is
// selected in the lists: copying a link or a code out of a message is not interrupted.
(function () {
  "use strict";
  const outbox = document.getElementById("outbox");
  if (!outbox) return;

  function selecting() {
    const selection = window.getSelection();
    return Boolean(
      selection && !selection.isCollapsed && selection.rangeCount &&
      outbox.contains(selection.getRangeAt(0).commonAncestorContainer)
    );
  }

  function version() {
    const mark = outbox.querySelector("[data-outbox-version]");
    return mark ? mark.dataset.outboxVersion : "";
  }

  async function refresh() {
    if (selecting()) return;
    const url = new URL(outbox.dataset.refreshUrl, window.location.href);
    url.search = window.location.search;
    url.searchParams.set("since", version());
    const response = await fetch(url, {headers: {"HX-Request": "true"}, credentials: "same-origin"});
    if (response.status !== 200) return;
    const html = await response.text();
    if (!selecting()) outbox.innerHTML = html;
  }

  window.setInterval(function () { refresh().catch(function () {}); }, 3000);
})();
