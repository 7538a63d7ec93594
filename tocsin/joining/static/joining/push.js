/* "Get alerts on this phone": register the service worker, subscribe to web push with this
   server's VAPID key, and hand the subscription to Tocsin; or stop it again.
   The section stays hidden where the browser cannot do web push. */
(function () {
  "use strict";

  var box = document.querySelector("[data-push]");
  if (!box || !window.isSecureContext || !("serviceWorker" in navigator) || !("PushManager" in window)) {
    return;
  }
  var subscribeButton = box.querySelector("[data-push-subscribe]");
  var unsubscribeButton = box.querySelector("[data-push-unsubscribe]");
  var status = box.querySelector("[data-push-status]");
  var csrfToken = box.querySelector("input[name=csrfmiddlewaretoken]").value;
  var serverKey = bytesOf(box.dataset.key);

  function bytesOf(base64url) {
    var base64 = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function sameKey(buffer) {
    if (!buffer) { return false; }
    var bytes = new Uint8Array(buffer);
    if (bytes.length !== serverKey.length) { return false; }
    for (var i = 0; i < bytes.length; i += 1) {
      if (bytes[i] !== serverKey[i]) { return false; }
    }
    return true;
  }

  function say(text) { status.textContent = text || ""; }

  function busy(on) {
    subscribeButton.disabled = on;
    unsubscribeButton.disabled = on;
    if (on) { say(box.dataset.working); }
  }

  function post(url, content) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(content)
    });
  }

  function firstError(response) {
    return response.json().then(function (answer) {
      var errors = (answer && answer.errors) || {};
      var names = Object.keys(errors);
      return names.length ? errors[names[0]][0] : box.dataset.failed;
    }, function () { return box.dataset.failed; });
  }

  function ready() { return navigator.serviceWorker.ready; }

  function subscription(registration) {
    // A subscription made with an older key would be refused by the push service: renew it.
    return registration.pushManager.getSubscription().then(function (existing) {
      if (existing && sameKey(existing.options.applicationServerKey)) { return existing; }
      var dropped = existing ? existing.unsubscribe() : Promise.resolve(true);
      return dropped.then(function () {
        return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: serverKey });
      });
    });
  }

  function subscribe() {
    busy(true);
    var asked = window.Notification ? window.Notification.requestPermission() : Promise.resolve("default");
    asked.then(function (permission) {
      if (permission === "denied") {
        busy(false);
        say(box.dataset.denied);
        return null;
      }
      return ready().then(subscription).then(function (made) {
        return post(box.dataset.subscribeUrl, made.toJSON());
      }).then(function (response) {
        if (response.status === 201) {
          window.location.reload();
          return null;
        }
        return firstError(response).then(function (message) { busy(false); say(message); });
      });
    }).catch(function () {
      busy(false);
      say(window.Notification && window.Notification.permission === "denied" ? box.dataset.denied : box.dataset.failed);
    });
  }

  function unsubscribe() {
    busy(true);
    ready().then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (existing) {
      if (!existing) { return null; }
      var endpoint = existing.endpoint;
      return existing.unsubscribe().then(function () {
        return post(box.dataset.removeUrl, { endpoint: endpoint });
      });
    }).then(function () {
      window.location.reload();
    }).catch(function () {
      busy(false);
      say(box.dataset.failed);
    });
  }

  subscribeButton.addEventListener("click", subscribe);
  unsubscribeButton.addEventListener("click", unsubscribe);
  box.hidden = false;
  navigator.serviceWorker.register(box.dataset.worker, { scope: "/" }).then(ready).then(function (registration) {
    return registration.pushManager.getSubscription();
  }).then(function (existing) {
    unsubscribeButton.hidden = !existing;
  }).catch(function () {
    say(box.dataset.failed);
  });
}());
