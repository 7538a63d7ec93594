/* The report's map pin: tap the map or use the current location to set the hidden latitude
   and longitude inputs. Without JavaScript the pin stays hidden and the words still work;
   without map tiles (the default) the map still takes a tap, beside the sites and a scale. */
(function () {
  "use strict";

  function number(input) {
    var value = parseFloat(input.value);
    return isFinite(value) ? value : null;
  }

  // The organization's sites, drawn for reference.
  function sites() {
    var node = document.getElementById("map-sites");
    return node ? JSON.parse(node.textContent) : [];
  }

  function setUp(box) {
    var latInput = box.querySelector("input[name='lat']");
    var lngInput = box.querySelector("input[name='lng']");
    var mapBox = box.querySelector(".pin-map");
    var locate = box.querySelector("[data-locate]");
    var clear = box.querySelector("[data-clear]");
    var status = box.querySelector("[data-pin-status]");
    var map = null;
    var marker = null;

    function show() {
      var lat = number(latInput);
      var lng = number(lngInput);
      var set = lat !== null && lng !== null;
      clear.hidden = !set;
      if (!set) {
        if (marker) { map.removeLayer(marker); marker = null; }
        return;
      }
      if (!marker) {
        marker = window.L.circleMarker([lat, lng], { radius: 9, color: "#9b1c1c", weight: 3 }).addTo(map);
      } else {
        marker.setLatLng([lat, lng]);
      }
    }

    function place(lat, lng, message) {
      latInput.value = lat.toFixed(6);
      lngInput.value = lng.toFixed(6);
      show();
      status.textContent = message;
    }

    if (!window.L || !window.TocsinMap || !mapBox || !latInput || !lngInput) { return; }
    box.hidden = false;
    var startLat = parseFloat(box.dataset.lat);
    var startLng = parseFloat(box.dataset.lng);
    var known = isFinite(startLat) && isFinite(startLng);
    map = window.TocsinMap.create(mapBox, { scrollWheelZoom: false })
      .setView(known ? [startLat, startLng] : [39.8, -98.6], known ? 15 : 4);
    sites().forEach(function (site) {
      window.TocsinMap.place(map, site.lat, site.lng, site.name);
    });
    map.on("click", function (event) {
      place(event.latlng.lat, event.latlng.lng, box.dataset.placed);
    });
    show();

    clear.addEventListener("click", function () {
      latInput.value = "";
      lngInput.value = "";
      show();
      status.textContent = box.dataset.cleared;
    });

    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        status.textContent = box.dataset.locating;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            place(position.coords.latitude, position.coords.longitude, box.dataset.located);
            map.setView([position.coords.latitude, position.coords.longitude], 16);
          },
          function () { status.textContent = box.dataset.locateFailed; },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }
  }

  document.querySelectorAll("[data-pin]").forEach(setUp);
})();
