// Draw the organization's sites on a map. The table above stays the source of truth:
// without this script the page still lists every site; without tiles the map labels them.
(function () {
  "use strict";
  var box = document.getElementById("site-map");
  var rows = document.querySelectorAll("#site-list tr.site");
  if (!box || !window.L || !window.TocsinMap || rows.length === 0) {
    return;
  }
  box.hidden = false;
  var map = window.TocsinMap.create(box, { scrollWheelZoom: false });
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
    window.TocsinMap.place(map, lat, lng, row.dataset.name, {
      radius: 8,
      color: "#9b1c1c",
      weight: 2,
    }).bindPopup(link);
    points.push([lat, lng]);
  });
  if (points.length === 1) {
    map.setView(points[0], 14);
  } else {
    map.fitBounds(points, { padding: [24, 24], maxZoom: 14 });
  }
})();
