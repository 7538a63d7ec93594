/* Keep the playbook pages on the phone: register the service worker (tocsin/sw.js) and ask
 * it to keep this page, then say so on the page. Later playbook pages are kept as they load. */
"use strict";
(function () {
  const script = document.currentScript;
  if (!script || !("serviceWorker" in navigator) || !window.isSecureContext) {
    return;
  }
  navigator.serviceWorker.register(script.dataset.worker, { scope: "/" })
    .then(function () { return navigator.serviceWorker.ready; })
    .then(function (registration) {
      if (registration.active) {
        registration.active.postMessage({ keep: window.location.href });
      }
      const note = document.querySelector("[data-offline-note]");
      if (note) {
        note.hidden = false;
      }
    })
    .catch(function () { /* the page still works; it is only not kept */ });
})();
