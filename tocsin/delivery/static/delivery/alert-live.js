// Keep an alert's delivery counts current from its Server-Sent Events stream.
(function () {
  "use strict";
  var box = document.getElementById("alert-status");
  if (!box || !window.EventSource) {
    return;
  }
  var states = ["queued", "sent", "delivered", "failed", "skipped"];
  var body = box.querySelector("tbody");
  var totalRow = body.querySelector("tr");

  // prefix names the cells as the page does: "deliveries" or "by_channel.<channel>".
  function row(label, counts, prefix) {
    var tr = document.createElement("tr");
    var th = document.createElement("th");
    th.textContent = label;
    tr.appendChild(th);
    states.forEach(function (state) {
      var td = document.createElement("td");
      td.textContent = counts[state];
      td.dataset.count = prefix + "." + state;
      tr.appendChild(td);
    });
    return tr;
  }

  // The failures table is the server's, in the page's language: fetch it again when the
  // counts move while some deliveries have failed (at most every few seconds).
  var failures = document.getElementById("alert-failures");
  var lastCounts = "";
  var lastFetch = 0;
  var pending = null;
  function refreshFailures(data) {
    var counts = JSON.stringify(data.deliveries);
    if (!failures || data.deliveries.failed === 0 || counts === lastCounts) {
      return;
    }
    if (data.state !== "done" && Date.now() - lastFetch < 3000) {
      clearTimeout(pending);
      pending = setTimeout(function () {
        refreshFailures(data);
      }, 3000);
      return;
    }
    clearTimeout(pending);
    lastCounts = counts;
    lastFetch = Date.now();
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var section = fresh.getElementById("alert-failures");
        if (section) {
          failures.replaceWith(section);
          failures = section;
        }
      })
      .catch(function () {
        lastCounts = ""; // try again on the next event
      });
  }

  var source = new EventSource(box.dataset.events);
  source.addEventListener("status", function (event) {
    var data = JSON.parse(event.data);
    box.querySelector('[data-count="audience_size"]').textContent = data.audience_size;
    var state = box.querySelector('[data-count="state"]');
    state.dataset.state = data.state;
    state.textContent = state.dataset[data.state] || data.state; // in the page's language
    var fresh = [row(totalRow.querySelector("th").textContent, data.deliveries, "deliveries")];
    Object.keys(data.by_channel).forEach(function (channel) {
      fresh.push(row(channel, data.by_channel[channel], "by_channel." + channel));
    });
    body.replaceChildren.apply(body, fresh);
    totalRow = fresh[0];
    refreshFailures(data);
    if (data.state === "done") {
      source.close();
    }
  });
})();
