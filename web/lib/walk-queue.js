/*
 * lib/walk-queue.js — the walk page's outbox: findings and their photos
 * recorded on the street wait in IndexedDB until the server has them
 * (docs/walks.md, "Field mode").
 *
 * Every finding and every photo gets its id on the device
 * (crypto.randomUUID) when it is recorded, and that id is its
 * Idempotency-Key on every send, so a send whose answer was lost can be
 * repeated without making a second finding or photo. Order per finding:
 * the finding (small JSON) first; once the server has accepted it, each
 * photo is uploaded (POST /api/v1/photos, raw bytes) and attached
 * (POST /api/v1/walk-findings/{id}/photos). A finding is never held back
 * by a large photo on a weak connection. Two findings are in flight at a
 * time, oldest first. Photo bytes sit in a store of their own ("blobs"),
 * so listing the outbox never reads them.
 *
 * A record leaves the "waiting" list only when the server has answered it:
 * findings stay in the store as "sent" (without photo bytes) so the page
 * can list them; one the server refused for good (a 4xx other than 408 and
 * 429) is "error" with the server's code, kept until the participant
 * discards it. Sending is tried on page load, on the online event and
 * after a failure with a back-off (2 s doubling to 60 s, or Retry-After).
 */
(function () {
  'use strict';

  var DB_NAME = 'vaikuta-walk';
  var DB_VERSION = 2;
  var MAX_BACKOFF = 60000;
  var dbPromise = null;

  function req(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  function open() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var r = indexedDB.open(DB_NAME, DB_VERSION);
      // Photo bytes live in a store of their own ("blobs", by photo id):
      // listing the outbox reads the small records only, never 100
      // photos of 5 MB (version 1 kept them in the photo records).
      r.onupgradeneeded = function (ev) {
        var db = r.result;
        if (!db.objectStoreNames.contains('findings')) db.createObjectStore('findings', { keyPath: 'id' });
        if (!db.objectStoreNames.contains('photos')) {
          db.createObjectStore('photos', { keyPath: 'id' }).createIndex('finding', 'finding');
        }
        if (!db.objectStoreNames.contains('blobs')) {
          var blobs = db.createObjectStore('blobs');
          if (ev.oldVersion >= 1) {
            r.transaction.objectStore('photos').openCursor().onsuccess = function (e) {
              var c = e.target.result;
              if (!c) return;
              var p = c.value;
              if (p.blob) blobs.put(p.blob, p.id);
              delete p.blob;
              c.update(p);
              c.continue();
            };
          }
        }
      };
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
    return dbPromise;
  }

  // fn(stores) inside one transaction over both stores; resolves with
  // fn's result once the transaction has committed.
  function tx(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(['findings', 'photos', 'blobs'], mode);
        var out;
        t.oncomplete = function () { resolve(out); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error || new Error('aborted')); };
        Promise.resolve(fn({ findings: t.objectStore('findings'), photos: t.objectStore('photos'), blobs: t.objectStore('blobs') }))
          .then(function (v) { out = v; }, function (e) { try { t.abort(); } catch (x) { /* done */ } reject(e); });
      });
    });
  }

  function getAll(store) { return req(store.getAll()); }

  /* ---------- recording ---------- */

  // A phone photo (12 MP, 3–6 MB) made at most SHRINK_SIDE px on its long
  // side, upright, as a JPEG, before it is queued: a tenth of the bytes to
  // keep on the device and to send over a street's weak connection, and of
  // the server's decoding (it keeps 1600 px at most). Anything the browser
  // cannot decode (HEIC in most browsers) or that is small already is kept
  // as it is; the server checks and strips every photo either way.
  var SHRINK_SIDE = 2048, SHRINK_BYTES = 1536 * 1024;
  function shrink(file) {
    if (typeof createImageBitmap !== 'function' || !/^image\/(jpeg|png|webp)$/.test(file.type || '')) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: 'from-image' }).then(function (bmp) {
      var side = Math.max(bmp.width, bmp.height);
      if (side <= SHRINK_SIDE && file.size <= SHRINK_BYTES) { bmp.close(); return file; }
      var k = Math.min(1, SHRINK_SIDE / side);
      var c = document.createElement('canvas');
      c.width = Math.max(1, Math.round(bmp.width * k));
      c.height = Math.max(1, Math.round(bmp.height * k));
      c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
      bmp.close();
      return new Promise(function (resolve) {
        c.toBlob(function (b) { resolve(b && b.size < file.size ? b : file); }, 'image/jpeg', 0.88);
      });
    }).catch(function () { return file; });
  }

  // finding: {walk, code, body (the finding without photos; body.id is
  // the device's id), label}; files: File/Blob list. Both are in the
  // store when this resolves.
  function add(finding, files) {
    return Promise.all((files || []).map(shrink)).then(function (blobs) { return store(finding, files || [], blobs); });
  }

  function store(finding, files, blobs) {
    var now = new Date().toISOString();
    var photos = files.map(function (f, i) {
      return { id: crypto.randomUUID(), finding: finding.body.id, name: f.name || '',
        size: blobs[i].size, type: blobs[i].type || f.type || '', state: 'waiting', serverId: null, error: null };
    });
    var rec = { id: finding.body.id, walk: finding.walk, code: finding.code, body: finding.body,
      label: finding.label || null, photos: photos.map(function (p) { return p.id; }),
      state: 'waiting', error: null, attempts: 0, created: now, sent: null };
    return tx('readwrite', function (s) {
      s.findings.put(rec);
      photos.forEach(function (p, i) {
        s.photos.put(p);
        // The bytes themselves: a File read into a Blob, so the store
        // keeps them even if the phone's file goes away.
        s.blobs.put(blobs[i].slice(0, blobs[i].size, blobs[i].type), p.id);
      });
    }).then(function () { notify(); return rec; });
  }

  // Everything the store holds: [{finding, photos: [...]}], oldest first.
  function list() {
    return tx('readonly', function (s) {
      return Promise.all([getAll(s.findings), getAll(s.photos)]);
    }).then(function (r) {
      var byFinding = {};
      r[1].forEach(function (p) { (byFinding[p.finding] = byFinding[p.finding] || []).push(p); });
      return r[0].sort(function (a, b) { return a.created < b.created ? -1 : a.created > b.created ? 1 : 0; })
        .map(function (f) {
          var ph = (byFinding[f.id] || []).sort(function (a, b) { return f.photos.indexOf(a.id) - f.photos.indexOf(b.id); });
          return { finding: f, photos: ph };
        });
    });
  }

  // Whether an entry still has something to send (its finding or a photo).
  function isWaiting(entry) {
    if (entry.finding.state === 'waiting') return true;
    if (entry.finding.state !== 'sent') return false;
    return entry.photos.some(function (p) { return p.state === 'waiting' || p.state === 'uploaded'; });
  }

  function hasError(entry) {
    return entry.finding.state === 'error' || entry.photos.some(function (p) { return p.state === 'error'; });
  }

  // Removes a finding the server refused (or any entry) with its photos.
  function discard(id) {
    return tx('readwrite', function (s) {
      return req(s.photos.index('finding').getAllKeys(id)).then(function (keys) {
        keys.forEach(function (k) { s.photos.delete(k); s.blobs.delete(k); });
        s.findings.delete(id);
      });
    }).then(function () { notify(); });
  }

  // A new code for a walk (the organiser made one; the old stops
  // working): what waits, or was refused for the old code, takes it and
  // is sent again.
  function recode(walk, code) {
    function stale(x) { return x.state === 'error' && x.error && x.error.code === 'invalid_walk_code'; }
    return tx('readwrite', function (s) {
      return Promise.all([getAll(s.findings), getAll(s.photos)]).then(function (r) {
        var ids = {};
        r[0].forEach(function (f) {
          if (String(f.walk) !== String(walk) || f.code === code) return;
          if (f.state === 'sent' || f.state === 'waiting' || stale(f)) {
            ids[f.id] = true;
            f.code = code;
            if (stale(f)) { f.state = 'waiting'; f.error = null; }
            s.findings.put(f);
          }
        });
        r[1].forEach(function (p) {
          if (ids[p.finding] && stale(p)) {
            p.state = p.serverId ? 'uploaded' : 'waiting';
            p.error = null;
            s.photos.put(p);
          }
        });
      });
    }).then(function () { notify(); });
  }

  function putFinding(f) { return tx('readwrite', function (s) { s.findings.put(f); }); }
  function putPhoto(p) { return tx('readwrite', function (s) { s.photos.put(p); }); }
  function getBlob(id) { return tx('readonly', function (s) { return req(s.blobs.get(id)); }); }

  /* ---------- sending ---------- */

  // A failure worth trying again (no connection, a timeout, the server
  // busy or failing); retryAfter in ms when the server said.
  function Transient(what, retryAfter) { this.what = what; this.retryAfter = retryAfter || 0; }

  function send(url, init, timeout) {
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, timeout);
    init.signal = ctl.signal;
    init.credentials = 'same-origin';
    return fetch(url, init).then(function (r) {
      clearTimeout(timer);
      return r.text().then(function (text) {
        var j = null;
        try { j = text ? JSON.parse(text) : null; } catch (e) { j = null; }
        if (r.ok) return j;
        if (r.status >= 500 || r.status === 408 || r.status === 429) {
          var ra = Number(r.headers.get('Retry-After'));
          throw new Transient('http ' + r.status, ra > 0 ? ra * 1000 : 0);
        }
        var err = (j && j.error) || {};
        throw { status: r.status, code: err.code || ('http_' + r.status), field: err.field || '', message: err.message || '' };
      });
    }, function () {
      clearTimeout(timer);
      throw new Transient('network');
    });
  }

  function jsonInit(body, code, key) {
    return { method: 'POST', body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json',
        'X-Walk-Code': code, 'Idempotency-Key': key } };
  }

  function sendFinding(f) {
    return send('/api/v1/walks/' + encodeURIComponent(f.walk) + '/findings',
      jsonInit(f.body, f.code, f.id), 30000).then(function () {
      f.state = 'sent';
      f.sent = new Date().toISOString();
      f.error = null;
      return putFinding(f);
    }, function (e) {
      if (e instanceof Transient) throw e;
      f.state = 'error';
      f.error = e;
      return putFinding(f);
    });
  }

  function sendPhoto(f, p) {
    var upload = p.serverId ? Promise.resolve() : getBlob(p.id).then(function (blob) {
      if (!blob) throw { status: 0, code: 'photo_lost', field: '', message: 'the photo is no longer on this device' };
      // With the walk's code the upload is outside the public write
      // budget (a long queue syncs at once); a code the server no longer
      // takes (renewed, walk closed) falls back to an upload without it.
      var init = function (withCode) {
        var h = { 'Content-Type': p.type || 'application/octet-stream', Accept: 'application/json',
          'Idempotency-Key': p.uploadKey || p.id };
        if (withCode && f.code) h['X-Walk-Code'] = f.code;
        return { method: 'POST', body: blob, headers: h };
      };
      return send('/api/v1/photos', init(true), 180000).catch(function (e) {
        if (e && (e.code === 'invalid_walk_code' || e.code === 'walk_closed')) return send('/api/v1/photos', init(false), 180000);
        throw e;
      });
    }).then(function (j) {
      p.serverId = j.id;
      p.state = 'uploaded';
      return putPhoto(p);
    });
    return upload.then(function () {
      return send('/api/v1/walk-findings/' + encodeURIComponent(f.id) + '/photos',
        jsonInit({ photos: [p.serverId] }, f.code, 'attach-' + p.id), 30000);
    }).then(function () {
      // Attached: the bytes are on the server, the device need not keep them.
      p.state = 'attached';
      p.error = null;
      return tx('readwrite', function (s) { s.photos.put(p); s.blobs.delete(p.id); });
    }, function (e) {
      if (e instanceof Transient) throw e;
      if (e.code === 'invalid_photo') {
        // Purged before it was attached (pending photos live 48 hours):
        // upload again under a new key, or the old key would replay the
        // purged id.
        p.serverId = null;
        p.uploadKey = crypto.randomUUID();
      }
      else p.state = 'error';
      p.error = e;
      return putPhoto(p);
    });
  }

  var running = null, timer = null, backoff = 0, listeners = [];

  // One entry: its finding (unless sent), then its photos one by one.
  function sendEntry(e) {
    var step = e.finding.state === 'waiting' ? sendFinding(e.finding) : Promise.resolve();
    return step.then(function () {
      notify();
      if (e.finding.state !== 'sent') return null;
      var pc = Promise.resolve();
      e.photos.forEach(function (p) {
        if (p.state === 'waiting' || p.state === 'uploaded') pc = pc.then(function () { return sendPhoto(e.finding, p).then(notify); });
      });
      return pc;
    });
  }

  // One pass at a time across the walk page's tabs (Web Locks where the
  // browser has them): two tabs would only repeat requests the keys make
  // harmless, but need not.
  function exclusive(fn) {
    if (navigator.locks && navigator.locks.request) return navigator.locks.request('vaikuta-walk-outbox', fn);
    return fn();
  }

  function notify() { listeners.forEach(function (fn) { try { fn(); } catch (e) { /* a listener's own */ } }); }

  // One pass over everything waiting, oldest first; stops at the first
  // transient failure and plans the next pass.
  function syncOnce() {
    if (running) return running;
    if (timer) { clearTimeout(timer); timer = null; }
    running = exclusive(function () { return list().then(function (entries) {
      var todo = entries.filter(isWaiting), next = 0, failure = null;
      // Two entries in flight, oldest first: the server decodes two photos
      // at once (its two photo threads) while a finding's own steps stay in
      // order. After a failure no new entry starts; the pass ends when both
      // lanes have.
      function lane() {
        if (failure || next >= todo.length) return Promise.resolve();
        return sendEntry(todo[next++]).then(lane, function (e) { failure = failure || e; });
      }
      return Promise.all([lane(), lane()]).then(function () { if (failure) throw failure; });
    }); }).then(function () {
      backoff = 0;
      return list().then(function (entries) {
        // An invalid_photo was put back to be uploaded again: go round once more.
        if (entries.some(function (e) { return isWaiting(e) && e.finding.state === 'sent'; })) schedule(2000);
      });
    }, function (e) {
      if (!(e instanceof Transient)) throw e;
      backoff = Math.min(MAX_BACKOFF, backoff ? backoff * 2 : 2000);
      schedule(Math.max(backoff, e.retryAfter) + Math.floor(Math.random() * 500));
    }).then(function () { running = null; notify(); }, function (e) { running = null; notify(); throw e; });
    return running;
  }

  function schedule(ms) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; syncOnce(); }, ms);
  }

  // Sends when possible: now, whenever the browser says it is online
  // again, and after failures with the back-off. onChange hears of every
  // change to the store.
  function start(onChange) {
    if (onChange) listeners.push(onChange);
    window.addEventListener('online', function () { backoff = 0; syncOnce(); });
    return syncOnce();
  }

  VK.walkQueue = {
    open: open, add: add, list: list, discard: discard, recode: recode, sync: syncOnce, start: start,
    isWaiting: isWaiting, hasError: hasError,
    busy: function () { return !!running; },
    onChange: function (fn) { listeners.push(fn); }
  };
})();
