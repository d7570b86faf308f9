/*
 * walk-sw.js — the walk page's service worker (scope /w/, registered by
 * walk.js): keeps what the page needs to open and record with no
 * connection (docs/walks.md, "Field mode").
 *
 * Kept on install: the page, its scripts, styles and strings (fi, sv,
 * en), Leaflet, the checklist, the configuration and the accessibility
 * areas' outlines; kept when the page asks (a message {type: "cache",
 * urls}): the joined walk and its findings. Static files answer from the
 * cache at once and are refreshed behind it; API reads go to the network
 * first (so an online page sees today's walk) and fall back to the cache;
 * any /w/… address opens the kept walk.html. Writes are never touched:
 * the page's outbox (lib/walk-queue.js) owns them.
 */
'use strict';

var CACHE = 'vaikuta-walk-v1';
var PAGE = '/walk.html';
var STATIC = [
  PAGE, '/walk.js', '/walk.css', '/style.css', '/survey.css',
  '/lib/vk.js', '/lib/map.js', '/lib/survey-logic.js', '/lib/survey-fields.js', '/lib/survey-map.js',
  '/lib/walk-queue.js', '/lib/walk-check.js', '/lib/walk-place.js',
  '/lib/place-search.js', '/lib/place-search.css',
  '/node_modules/leaflet/dist/leaflet.js', '/node_modules/leaflet/dist/leaflet.css',
  '/node_modules/leaflet/dist/images/marker-icon.png', '/node_modules/leaflet/dist/images/marker-icon-2x.png',
  '/node_modules/leaflet/dist/images/marker-shadow.png',
  '/i18n/fi.json', '/i18n/sv.json', '/i18n/en.json',
  '/i18n/survey.fi.json', '/i18n/survey.sv.json', '/i18n/survey.en.json',
  '/i18n/walk.fi.json', '/i18n/walk.sv.json', '/i18n/walk.en.json'
];
var DATA = ['/api/v1/walks/checklist', '/api/v1/config', '/ogcapi/collections/accessibility-areas/items?limit=100'];
var API_TIMEOUT = 6000;

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(STATIC.concat(DATA)); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf('vaikuta-walk-') === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// The walk's own addresses, asked for by the page once it has joined.
self.addEventListener('message', function (event) {
  var d = event.data || {};
  if (d.type !== 'cache' || !Array.isArray(d.urls)) return;
  var urls = d.urls.filter(function (u) { return typeof u === 'string' && /^\/(api\/v1\/walks\/\d+(\/findings)?|w\/\d+)$/.test(u); });
  event.waitUntil(caches.open(CACHE).then(function (c) {
    return Promise.all(urls.map(function (u) {
      if (u.indexOf('/w/') === 0) return true; // answered by walk.html
      return fetch(u, { credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) return false;
        return c.put(u, r).then(function () { return true; });
      }, function () { return c.match(u).then(function (r) { return !!r; }); });
    }));
  }).then(function (oks) {
    var ok = oks.every(Boolean);
    if (event.source) event.source.postMessage({ type: 'cached', walk: d.walk, ok: ok });
  }));
});

function fromNetwork(request, timeout) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error('timeout')); }, timeout);
    fetch(request).then(function (r) { clearTimeout(timer); resolve(r); }, function (e) { clearTimeout(timer); reject(e); });
  });
}

// Network first; a good answer is kept, else the kept one answers.
function networkFirst(request, key) {
  return caches.open(CACHE).then(function (c) {
    return fromNetwork(request, API_TIMEOUT).then(function (r) {
      if (r.ok) c.put(key || request, r.clone());
      return r;
    }, function () {
      return c.match(key || request).then(function (hit) {
        return hit || new Response(JSON.stringify({ error: { code: 'offline', field: '', message: 'offline and not kept on this device' } }),
          { status: 503, headers: { 'Content-Type': 'application/json' } });
      });
    });
  });
}

// The kept copy at once, refreshed from the network behind it.
function cacheFirst(request) {
  return caches.open(CACHE).then(function (c) {
    return c.match(request).then(function (hit) {
      var refresh = fetch(request).then(function (r) {
        if (r.ok) c.put(request, r.clone());
        return r;
      });
      if (hit) { refresh.catch(function () { /* offline: the kept copy stands */ }); return hit; }
      return refresh;
    });
  });
}

self.addEventListener('fetch', function (event) {
  var req = event.request;
  if (req.method !== 'GET') return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    if (/^\/w(\/|$)/.test(url.pathname)) event.respondWith(networkFirst(req, PAGE));
    return;
  }
  var path = url.pathname + url.search;
  if (DATA.indexOf(path) >= 0 || /^\/api\/v1\/walks\/\d+(\/findings)?$/.test(url.pathname)) {
    event.respondWith(networkFirst(req, path));
    return;
  }
  if (STATIC.indexOf(url.pathname) >= 0) event.respondWith(cacheFirst(req));
});
