/* Tocsin's service worker: show each web push as a notification; a tap opens its link; keep
 * the playbook pages (/rights/...) a member opened, so they open without a connection.
 *
 * A push carries JSON {"title", "body", "url"}, encrypted for this browser's subscription.
 * Served from /sw.js (with Service-Worker-Allowed: /) so that its scope is the whole site.
 * Only the playbooks are kept (decision 0031): every other page goes to the network as if
 * there were no worker, so nothing personal (an alert, a member's page) is ever stored.
 */
"use strict";

const PLAYBOOKS = "tocsin-playbooks-v1";
const RIGHTS = "/rights/";

function isPlaybook(url) {
  return url.origin === self.location.origin && url.pathname.startsWith(RIGHTS);
}

// A playbook page's own style sheets, scripts and images, named in its HTML.
function assetsOf(html) {
  const found = new Set();
  for (const match of html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)) {
    found.add(match[1]);
  }
  return [...found];
}

// Fetch a playbook page and what it needs, and keep them; a failure keeps what it had.
async function keep(address) {
  const url = new URL(address, self.location.origin);
  if (!isPlaybook(url)) {
    return;
  }
  const cache = await caches.open(PLAYBOOKS);
  const response = await fetch(url.href, { credentials: "same-origin" });
  if (!response.ok) {
    return;
  }
  await cache.put(url.href, response.clone());
  await Promise.all(assetsOf(await response.text()).map((asset) => cache.add(asset).catch(() => null)));
}

self.addEventListener("install", (event) => {
  // The general rights page is kept from the start, in this browser's language.
  event.waitUntil(keep(RIGHTS).catch(() => null).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  // A new worker with a new cache name drops the playbooks an older one kept.
  const old = caches.keys().then((names) =>
    Promise.all(names.filter((name) => name.startsWith("tocsin-playbooks-") && name !== PLAYBOOKS).map((name) => caches.delete(name)))
  );
  event.waitUntil(old.then(() => self.clients.claim()));
});

// A playbook page asks to be kept as it opens (playbooks/offline.js): the first page a
// member opens is loaded before this worker controls it, so it cannot be caught below.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (typeof data.keep === "string") {
    event.waitUntil(keep(data.keep).catch(() => null));
  }
});

// From the network first, so a page is never older than it must be; from the phone when
// the network fails: the page itself, else the same page in another language, else the
// general rights page.
async function playbookPage(request) {
  const cache = await caches.open(PLAYBOOKS);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    // A kept page varies by cookie and language (Vary), which a reload's request need not
    // repeat: the page kept for this address is the one to show.
    const kept =
      (await cache.match(request, { ignoreVary: true })) ||
      (await cache.match(request, { ignoreSearch: true, ignoreVary: true })) ||
      (await cache.match(RIGHTS, { ignoreSearch: true, ignoreVary: true }));
    if (kept) {
      return kept;
    }
    throw error;
  }
}

async function playbookAsset(request) {
  const cache = await caches.open(PLAYBOOKS);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
    if (kept) {
      return kept;
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (request.mode === "navigate" && isPlaybook(url)) {
    event.respondWith(playbookPage(request));
    return;
  }
  const from = request.referrer ? new URL(request.referrer) : null;
  if (from && isPlaybook(from) && url.origin === self.location.origin && url.pathname.startsWith("/static/")) {
    event.respondWith(playbookAsset(request));
  }
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
