// The dispatcher's console and incident pages: live updates from Server-Sent Events, the map,
// and keyboard shortcuts. Without JavaScript every page still works by reloading.
(function () {
  "use strict";

  // Swap regions for the server's fresh rendering whenever their stream says something
  // changed. The regions of one page share one stream (the first region's data-events).
  function live(boxes, after) {
    boxes = Array.prototype.slice.call(boxes).filter(Boolean);
    if (!boxes.length || !window.EventSource) {
      return;
    }
    var first = true;
    var source = new EventSource(boxes[0].dataset.events);
    source.addEventListener("changed", function () {
      if (first) {
        first = false; // the page was rendered just now
        return;
      }
      boxes.forEach(function (box) {
        fetch(box.dataset.src, { credentials: "same-origin" })
          .then(function (response) {
            return response.ok ? response.text() : null;
          })
          .then(function (html) {
            if (html !== null) {
              box.innerHTML = html;
              if (after) {
                after();
              }
            }
          });
      });
    });
  }

  // A tooltip's words as text, never as HTML: a place's name comes from whoever reported
  // it, and Leaflet would put a string in as markup.
  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  var map = null;
  var layer = null;
  function drawMap() {
    var box = document.getElementById("console-map");
    var data = document.getElementById("console-map-data");
    if (!box || !data || !window.L || !window.TocsinMap) {
      return;
    }
    var points = JSON.parse(data.textContent);
    if (!map) {
      map = window.TocsinMap.create(box);
      layer = window.L.layerGroup().addTo(map);
    }
    layer.clearLayers();
    var bounds = [];
    points.sites.forEach(function (site) {
      window.TocsinMap.place(map, site.lat, site.lng, site.name, { radius: 5, color: "#555", weight: 1 }, layer);
      bounds.push([site.lat, site.lng]);
    });
    points.incidents.forEach(function (incident) {
      var color = incident.state === "confirmed" ? "#9b1c1c" : "#b45309";
      // A burst's incidents (anonymous reports soon after a page) stay small and grey.
      var style = incident.burst
        ? { radius: 6, color: "#6b7280", weight: 2 }
        : { radius: 11, color: color, weight: 3 };
      window.L.circleMarker([incident.lat, incident.lng], style)
        .bindTooltip(label(incident.id + " · " + incident.where))
        .addTo(layer);
      bounds.push([incident.lat, incident.lng]);
    });
    if (bounds.length) {
      map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
    } else {
      map.setView([39.8, -98.6], 4);
    }
  }

  live([document.getElementById("queue")], drawMap);
  live(document.querySelectorAll(".incident-live"));
  drawMap();

  // Keyboard: j/k move between incidents, any [data-key] element answers its key.
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]");
  }
  function move(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll(".incidents li a"));
    if (!links.length) {
      return;
    }
    var index = links.indexOf(document.activeElement);
    var next = index < 0 ? 0 : Math.min(links.length - 1, Math.max(0, index + step));
    links[next].focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      move(event.key === "j" ? 1 : -1);
      return;
    }
    var target = document.querySelector('[data-key="' + event.key + '"]');
    if (!target) {
      return;
    }
    event.preventDefault();
    if (target.tagName === "SUMMARY") {
      var details = target.parentElement;
      details.open = true;
      var field = details.querySelector("input:not([type=hidden]), select, textarea, button");
      (field || target).focus();
    } else {
      target.click();
    }
  });
})();
