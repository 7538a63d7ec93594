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
        .bindTooltip(label(incident.title))
        .addTo(layer);
      bounds.push([incident.lat, incident.lng]);
    });
    if (bounds.length) {
      map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
    } else {
      map.setView([39.8, -98.6], 4);
    }
  }

  // A new incident on the console: a short chime (made here with the Web Audio API, no sound
  // file) and, once the dispatcher turned them on, a desktop notification. Each can be
  // turned off; the choice is kept in this browser. The counts in #console-alerts'
  // data-chimes and data-notified say how many were given.
  var alerts = document.getElementById("console-alerts");
  var queue = document.getElementById("queue");
  var NOTIFY = "Notification" in window ? window.Notification : null;

  function setting(name, fallback) {
    try {
      return window.localStorage.getItem("tocsin.console." + name) || fallback;
    } catch (error) {
      return fallback;
    }
  }
  function keep(name, value) {
    try {
      window.localStorage.setItem("tocsin.console." + name, value);
    } catch (error) {
      // A private window may refuse storage: the choice then lasts as long as the page.
    }
  }
  function counted(name) {
    alerts.dataset[name] = String(Number(alerts.dataset[name] || 0) + 1);
  }

  var audio = null;
  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return null;
    }
    if (!audio) {
      audio = new Context();
    }
    if (audio.state === "suspended" && audio.resume) {
      audio.resume();
    }
    return audio;
  }
  function chime() {
    var context = audioContext();
    if (!context) {
      return;
    }
    var start = context.currentTime;
    [880, 1320].forEach(function (pitch, index) {
      var at = start + index * 0.18;
      var tone = context.createOscillator();
      var volume = context.createGain();
      tone.type = "sine";
      tone.frequency.value = pitch;
      volume.gain.setValueAtTime(0.0001, at);
      volume.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
      volume.gain.exponentialRampToValueAtTime(0.0001, at + 0.16);
      tone.connect(volume);
      volume.connect(context.destination);
      tone.start(at);
      tone.stop(at + 0.17);
    });
    counted("chimes");
  }

  function notifying() {
    return NOTIFY && NOTIFY.permission === "granted" && setting("notify", "off") === "on";
  }
  function showNotifyState() {
    var on = document.getElementById("console-notify");
    var off = document.getElementById("console-notify-off");
    var state = document.getElementById("console-notify-state");
    on.hidden = !NOTIFY || notifying() || NOTIFY.permission === "denied";
    off.hidden = !notifying();
    if (!NOTIFY) {
      state.textContent = alerts.dataset.unsupported;
    } else if (NOTIFY.permission === "denied") {
      state.textContent = alerts.dataset.blocked;
    } else {
      state.textContent = notifying() ? alerts.dataset.on : "";
    }
  }
  function notify(incident) {
    if (!notifying()) {
      return;
    }
    var shown = new NOTIFY(incident.title, { body: alerts.dataset.body, tag: "tocsin-new-incident" });
    shown.onclick = function () {
      window.focus();
      window.location.href = incident.href;
    };
    counted("notified");
  }

  function incidentsShown() {
    var found = {};
    Array.prototype.forEach.call(queue.querySelectorAll("[data-incident]"), function (item) {
      var link = item.querySelector("a");
      found[item.dataset.incident] = {
        title: item.dataset.title,
        href: link ? link.href : window.location.href,
      };
    });
    return found;
  }
  var known = queue ? incidentsShown() : {};
  function announceNew() {
    var shown = incidentsShown();
    var fresh = Object.keys(shown).filter(function (id) {
      return !known[id];
    });
    known = shown;
    if (!fresh.length) {
      return;
    }
    if (setting("sound", "on") === "on") {
      chime();
    }
    notify(shown[fresh[0]]); // one notification, however many arrived at once
  }

  if (alerts && queue) {
    alerts.hidden = false;
    var sound = document.getElementById("console-sound");
    sound.checked = setting("sound", "on") === "on";
    sound.addEventListener("change", function () {
      keep("sound", sound.checked ? "on" : "off");
      if (sound.checked) {
        audioContext(); // the click lets the page make sound from now on
      }
    });
    document.getElementById("console-notify").addEventListener("click", function () {
      // Browsers ask for the permission only on a person's click.
      var asked = NOTIFY.requestPermission(function () {});
      var after = function () {
        if (NOTIFY.permission === "granted") {
          keep("notify", "on");
        }
        showNotifyState();
      };
      if (asked && asked.then) {
        asked.then(after);
      } else {
        after();
      }
    });
    document.getElementById("console-notify-off").addEventListener("click", function () {
      keep("notify", "off");
      showNotifyState();
    });
    showNotifyState();
    // Browsers let a page play sound only after a person's gesture on it.
    var unlock = function () {
      if (setting("sound", "on") === "on") {
        audioContext();
      }
      document.removeEventListener("pointerdown", unlock);
      document.removeEventListener("keydown", unlock);
    };
    document.addEventListener("pointerdown", unlock);
    document.addEventListener("keydown", unlock);
  }

  // An incident's map: its reports' pins, its point, and the area of its alert (the one
  // sent, or the one being composed, following the broadcast form's radius).
  function drawIncidentMap() {
    var box = document.getElementById("incident-map");
    var data = document.getElementById("incident-map-data");
    if (!box || !data || !window.L || !window.TocsinMap) {
      return;
    }
    var points = JSON.parse(data.textContent);
    var map = window.TocsinMap.create(box);
    var bounds = window.L.latLngBounds([]);
    if (points.incident) {
      var centre = window.L.latLng(points.incident.lat, points.incident.lng);
      var area = window.L.circle(centre, {
        radius: points.alert.radius_m,
        color: points.alert.sent ? "#9b1c1c" : "#b45309",
        weight: 2,
        dashArray: points.alert.sent ? null : "6 6",
        fillOpacity: 0.08,
        className: "alert-area",
        interactive: false,
      }).addTo(map);
      window.L.circleMarker(centre, {
        radius: 10,
        color: "#9b1c1c",
        fillColor: "#9b1c1c",
        fillOpacity: 0.9,
        weight: 3,
        className: "incident-point",
      })
        .bindTooltip(label(box.dataset.incidentLabel))
        .addTo(map);
      box.dataset.alertRadius = String(points.alert.radius_m);
      bounds.extend(centre.toBounds(points.alert.radius_m * 2));
      var radius = document.querySelector('form[action$="/confirm/"] [name="radius_m"]');
      if (radius && !points.alert.sent) {
        radius.addEventListener("change", function () {
          var metres = parseInt(radius.value, 10);
          if (metres > 0) {
            area.setRadius(metres);
            box.dataset.alertRadius = String(metres);
            map.fitBounds(centre.toBounds(metres * 2), { maxZoom: 17, padding: [20, 20] });
          }
        });
      }
    }
    // The reports' pins last, above the point and the area: each one can be pointed at.
    points.reports.forEach(function (report) {
      window.L.circleMarker([report.lat, report.lng], {
        radius: 7,
        color: "#1d4ed8",
        weight: 2,
        className: "report-pin",
      })
        .bindTooltip(label(box.dataset.reportLabel + " " + report.n))
        .addTo(map);
      bounds.extend([report.lat, report.lng]);
    });
    map.fitBounds(bounds, { maxZoom: 17, padding: [20, 20] });
  }

  live([queue], function () {
    drawMap();
    announceNew();
  });
  live(document.querySelectorAll(".incident-live"));
  drawMap();
  drawIncidentMap();

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
