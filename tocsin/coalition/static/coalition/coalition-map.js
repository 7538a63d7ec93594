// Draw the coalition's open verified incidents on the map (decision 0029). The table below
// it stays the source of truth: without this script, or without tiles, it says the same.
(function () {
  "use strict";
  var box = document.getElementById("coalition-map");
  var data = document.getElementById("coalition-points");
  if (!box || !data || !window.L || !window.TocsinMap) {
    return;
  }
  var points = JSON.parse(data.textContent) || [];
  if (points.length === 0) {
    return;
  }
  box.hidden = false;
  var map = window.TocsinMap.create(box, { scrollWheelZoom: false });
  var bounds = [];
  points.forEach(function (point) {
    window.TocsinMap.place(map, point.lat, point.lng, point.name, {
      radius: 9,
      color: "#9b1c1c",
      weight: 2,
      fillOpacity: 0.7,
    });
    bounds.push([point.lat, point.lng]);
  });
  if (bounds.length === 1) {
    map.setView(bounds[0], 13);
  } else {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
  }
})();
