/* The area picker: a Leaflet map, "use my current location", and the radius select.
   Without JavaScript (or without map tiles) the latitude and longitude inputs still work. */
(function () {
  "use strict";

  function number(input) {
    var value = parseFloat(input.value);
    return isFinite(value) ? value : null;
  }

  // The organization's sites, drawn for reference (core/_map_scripts.html's neighbour).
  function sites() {
    var node = document.getElementById("map-sites");
    return node ? JSON.parse(node.textContent) : [];
  }

  function setUp(box) {
    var latInput = box.querySelector("input[name$='lat']");
    var lngInput = box.querySelector("input[name$='lng']");
    var radiusInput = box.querySelector("select[name$='radius_m']");
    var mapBox = box.querySelector(".area-map");
    var locate = box.querySelector("[data-locate]");
    var status = box.querySelector("[data-locate-status]");
    var map = null;
    var point = null;
    var circle = null;

    function draw() {
      if (!map) { return; }
      var lat = number(latInput);
      var lng = number(lngInput);
      if (lat === null || lng === null) { return; }
      var radius = parseInt(radiusInput.value, 10) || 500;
      if (!point) {
        point = window.L.circleMarker([lat, lng], { radius: 7, color: "#9b1c1c" }).addTo(map);
        circle = window.L.circle([lat, lng], { radius: radius, color: "#9b1c1c", weight: 2 }).addTo(map);
      } else {
        point.setLatLng([lat, lng]);
        circle.setLatLng([lat, lng]);
        circle.setRadius(radius);
      }
      map.fitBounds(circle.getBounds(), { maxZoom: 16 });
    }

    function place(lat, lng) {
      latInput.value = lat.toFixed(6);
      lngInput.value = lng.toFixed(6);
      draw();
    }

    if (window.L && window.TocsinMap && mapBox) {
      mapBox.hidden = false;
      var startLat = parseFloat(box.dataset.lat);
      var startLng = parseFloat(box.dataset.lng);
      var known = isFinite(startLat) && isFinite(startLng);
      map = window.TocsinMap.create(mapBox);
      map.setView(known ? [startLat, startLng] : [39.8, -98.6], known ? 14 : 4);
      sites().forEach(function (site) {
        window.TocsinMap.place(map, site.lat, site.lng, site.name);
      });
      map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng); });
      draw();
    }

    latInput.addEventListener("change", draw);
    lngInput.addEventListener("change", draw);
    radiusInput.addEventListener("change", draw);

    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        status.textContent = box.dataset.locating;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            place(position.coords.latitude, position.coords.longitude);
            status.textContent = box.dataset.located;
          },
          function () { status.textContent = box.dataset.locateFailed; },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }
  }

  document.querySelectorAll("[data-area]").forEach(setUp);
})();
