/* Tocsin's service worker: show each web push as a notification; a tap opens its link.
 *
 * A push carries JSON {"title", "body", "url"}, encrypted for this browser's subscription.
 * Served from /sw.js (with Service-Worker-Allowed: /) so that its scope is the whole site.
 */
"use strict";

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

function readPush(data) {
  if (!data) {
    return {};
  }
  try {
    const parsed = data.json();
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch (error) {
    return { body: data.text() };
  }
}

function safeUrl(value) {
  try {
    const url = new URL(value || "/", self.location.origin);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : self.location.origin + "/";
  } catch (error) {
    return self.location.origin + "/";
  }
}

self.addEventListener("push", (event) => {
  const message = readPush(event.data);
  const title = typeof message.title === "string" && message.title ? message.title : "Tocsin";
  const options = {
    body: typeof message.body === "string" ? message.body : "",
    icon: "/static/tocsin/icon.svg",
    badge: "/static/tocsin/icon.svg",
    data: { url: safeUrl(message.url) },
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = safeUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === url && "focus" in client) {
          return client.focus();
        }
      }
      return self.clients.openWindow(url);
    })
  );
});
