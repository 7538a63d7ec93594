/* Tocsin's maps, one way everywhere (decision 0017).

   TocsinMap.create(element, leafletOptions) returns a Leaflet map with the operator's tiles
   (the page's #tocsin-map-config, from core/_map_scripts.html) or, without tiles, a plain
   background; either way with a scale. Tiles only ever come from the configured URL, by
   default none, so no browser tells a third party what its person looks at.

   TocsinMap.place(map, lat, lng, name, style, layer) draws a labelled point (a site) on the
   map, or on one of its layer groups; the label is text, never HTML, and stays shown when
   there are no tiles. It returns the Leaflet circle marker.
   TocsinMap.plain(map) says whether the map has no tiles. */
(function () {
  "use strict";

  function config() {
    var node = document.getElementById("tocsin-map-config");
    if (!node) {
      return {};
    }
    try {
      return JSON.parse(node.textContent) || {};
    } catch (error) {
      return {};
    }
  }

  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function create(element, leafletOptions) {
    var settings = config();
    var map = window.L.map(element, leafletOptions || {});
    map.tocsinPlain = !settings.tiles;
    if (settings.tiles) {
      var credit = document.createElement("span");
      credit.textContent = settings.attribution || "";
      window.L.tileLayer(settings.tiles, {
        maxZoom: 19,
        maxNativeZoom: settings.maxNativeZoom || 19,
        attribution: credit.innerHTML
      }).addTo(map);
    } else {
      element.classList.add("map-plain");
    }
    window.L.control.scale({ metric: true, imperial: true }).addTo(map);
    return map;
  }

  function plain(map) {
    return Boolean(map && map.tocsinPlain);
  }

  function place(map, lat, lng, name, style, layer) {
    var marker = window.L.circleMarker(
      [lat, lng],
      style || { radius: 6, color: "#374151", weight: 2, fillOpacity: 0.6 }
    );
    if (name) {
      marker.bindTooltip(label(name), {
        permanent: plain(map),
        direction: "auto",
        className: "map-label"
      });
    }
    return marker.addTo(layer || map);
  }

  window.TocsinMap = { create: create, place: place, plain: plain };
})();
