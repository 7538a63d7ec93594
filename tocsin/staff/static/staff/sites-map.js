// Draw the organization's sites on a map. The table above stays the source of truth:
// without this script (or without tiles) the page still lists every site.
(function () {
  "use strict";
  var box = document.getElementById("site-map");
  var rows = document.querySelectorAll("#site-list tr.site");
  if (!box || !window.L || rows.length === 0) {
    return;
  }
  box.hidden = false;
  var map = L.map(box, { scrollWheelZoom: false });
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, {
      maxZoom: 19,
      attribution: "&copy; OpenStreetMap contributors",
    }).addTo(map);
  }
  var points = [];
  rows.forEach(function (row) {
    var lat = parseFloat(row.dataset.lat);
    var lng = parseFloat(row.dataset.lng);
    if (isNaN(lat) || isNaN(lng)) {
      return;
    }
    var link = document.createElement("a");
    link.href = row.dataset.url;
    link.textContent = row.dataset.name;
    L.circleMarker([lat, lng], { radius: 8, color: "#9b1c1c", weight: 2 })
      .bindPopup(link)
      .addTo(map);
    points.push([lat, lng]);
  });
  if (points.length === 1) {
    map.setView(points[0], 14);
  } else {
    map.fitBounds(points, { padding: [24, 24], maxZoom: 14 });
  }
})();
