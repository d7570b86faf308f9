/*
 * app.js — the Vaikuta web client: a map of feedback, a list of the same
 * feedback for keyboard and screen-reader users, and a report form with
 * three ways to give the place (mouse on the map, keyboard with a crosshair
 * at the map centre, or without the map: district + the place in words).
 *
 * Plain script, no build step, no framework. Talks only to the HTTP API in
 * docs/api.md. Languages, strings (i18n/<lang>.json) and API calls come from
 * web/common.js (window.VK), loaded before this file.
 *
 * Also the resident's part of feedback handling: open items close by are
 * suggested while reporting, "me too" on open items, and the private
 * follow-up link (follow.html) shown once after a report.
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, localName = VK.localName, $ = VK.$, el = VK.el;
  var LIST_PAGE = 25;
  // Status colours: Okabe–Ito blue / orange / bluish green, darkened so that
  // white text on them and the shapes against the map reach the contrast
  // WCAG asks for. Status is also told by the shape (filled / half / ring)
  // and the line pattern (solid / dashed / dotted), and always in words.
  // Planned adds Okabe–Ito's reddish purple, darkened the same way. The four
  // outcomes (resolved, not resolvable, duplicate, forwarded) share the
  // closed look; the popup and the list name the exact one.
  var STATUS = {
    received: { color: '#0057a8', fill: 0.85, dash: null, lineDash: null },
    in_progress: { color: '#a14a00', fill: 0.3, dash: '4 3', lineDash: '12 7' },
    planned: { color: '#8a3a6b', fill: 0.55, dash: '2 2', lineDash: '3 5' },
    closed: { color: '#17714a', fill: 0, dash: null, lineDash: '1 9' }
  };
  var CLOSED = VK.CLOSED, OPEN = VK.OPEN;

  // The look of a status: its own, or the closed look for an outcome.
  function look(status) {
    return CLOSED.indexOf(status) >= 0 ? 'closed' : (STATUS[status] ? status : 'received');
  }
  var DRAFT_COLOR = '#6b1f8f';

  var S = {
    config: null,
    categories: [],
    catById: {},
    districts: [],
    distByCode: {},
    features: [],
    layers: {},
    listShown: LIST_PAGE,
    map: null,
    zoomControl: null,
    districtLayer: null,
    labelLayer: null,
    feedbackLayer: null,
    draftLayer: null,
    mode: null,
    drafts: { point: [], line: [], area: [] },
    drawing: false,
    lastCreatedId: null,
    countTimer: null,
    nearby: [],
    nearbyKey: null,
    shownAttributes: [],
    descMax: 4000,
    // The public map's and list's filters; near = {lat, lng, accuracy}
    // from "near me", nearDist = id → metres from there.
    filter: { category: '', status: '', near: null },
    nearDist: {},
    locLayer: null,
    // The view's data: features = its items (listed; drawn from street
    // zoom), clusters = the tiles' counts below it; known = every item seen
    // since the last view (popups, "show on map"); viewSeq numbers the loads
    // so that a stale answer is dropped.
    known: {},
    extra: {},
    clusters: null,
    viewMatched: 0,
    viewSeq: 0,
    viewTimer: null,
    tileCache: {},
    tileOrder: [],
    pendingOpen: null
  };

  // A finger rather than a mouse: the help says "tap", not "click".
  function isTouch() {
    return !!(window.matchMedia && window.matchMedia('(pointer: coarse)').matches);
  }

  // The touch variant of a string where there is one.
  function tt(key, vars) {
    if (isTouch() && t(key + '_touch') !== key + '_touch') return t(key + '_touch', vars);
    return t(key, vars);
  }

  /* ---------- i18n ---------- */

  // VK.setLang has applied the data-i18n strings; the rest of the page is
  // drawn here, in the new language.
  function applyStrings() {
    document.title = t('title');
    var md = document.querySelector('meta[name="description"]');
    if (md) md.setAttribute('content', t('metaDescription'));
    $('description-hint').textContent = t('descriptionHint', { max: S.descMax });
    $('map-help').textContent = tt('mapHelp');
    fillFilterSelects();
    updatePlaceRequired();
    fillCategorySelect();
    fillDistrictSelect();
    renderLegend();
    updateCount(false);
    if (S.map) {
      setZoomControl();
      drawDistrictLabels();
      if (clustered()) drawFeedback(); // the clusters' names
      refreshPopup();
    }
    updateDrawUI();
    renderList();
    renderNearby(false);
    relocalizeErrors();
    if (S.placeSearch) S.placeSearch.relabel();
    if (S.mapSearch) S.mapSearch.relabel();
    if (S.photos) S.photos.relabel();
  }

  /* ---------- data ---------- */

  function showLoadError() {
    var el = $('load-error');
    el.textContent = t('loadError');
    el.hidden = false;
  }

  /* ---------- map ---------- */

  function initMap(cfg) {
    var zoom = VK.map.zoom(cfg);
    var map = S.map = VK.map.create('map', cfg);
    if (cfg && Array.isArray(cfg.bounds) && cfg.bounds.length === 4) {
      var b = cfg.bounds;
      var padLon = (b[2] - b[0]) * 0.5, padLat = (b[3] - b[1]) * 0.5;
      map.setMaxBounds([[b[1] - padLat, b[0] - padLon], [b[3] + padLat, b[2] + padLon]]);
      map.options.maxBoundsViscosity = 0.7;
      map.setMinZoom(Math.max(0, zoom - 3));
    }
    map.setView(VK.map.centre(cfg), zoom);
    setZoomControl();

    map.createPane('districts').style.zIndex = 350;
    map.createPane('labels').style.zIndex = 380;
    map.getPane('labels').style.pointerEvents = 'none';
    map.createPane('draft').style.zIndex = 640;
    map.getPane('draft').style.pointerEvents = 'none';

    S.districtLayer = L.layerGroup().addTo(map);
    S.labelLayer = L.layerGroup().addTo(map);
    S.feedbackLayer = L.layerGroup().addTo(map);
    S.draftLayer = L.layerGroup().addTo(map);
    S.locLayer = L.layerGroup().addTo(map);
    // Every move or zoom asks for that view's data only (issue 15).
    map.on('moveend', scheduleView);

    map.on('click', function (e) {
      if (S.drawing) addVertex(e.latlng, 'tap');
    });
    map.on('popupopen', function (e) {
      var btn = e.popup.getElement() && e.popup.getElement().querySelector('.leaflet-popup-close-button');
      if (btn) {
        btn.setAttribute('aria-label', t('closePopup'));
        btn.setAttribute('title', t('closePopup'));
      }
    });
    // Enter (or space) on the focused map adds a point at the crosshair while
    // drawing; only when the map container itself has focus, never when a
    // control or popup inside it does.
    var c = map.getContainer();
    c.addEventListener('keydown', function (e) {
      if (e.target !== c || !S.drawing) return;
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        addVertex(map.getCenter(), 'keys');
      }
    });
  }

  function setZoomControl() {
    S.zoomControl = VK.map.zoomControl(S.map, S.zoomControl);
  }

  function drawDistricts() {
    S.districtLayer.clearLayers();
    S.districts.forEach(function (f) {
      if (!f.geometry) return;
      L.geoJSON(f, {
        pane: 'districts',
        interactive: false,
        style: function () { return VK.map.DISTRICT_STYLE; }
      }).addTo(S.districtLayer);
    });
    drawDistrictLabels();
  }

  function drawDistrictLabels() {
    if (!S.labelLayer) return;
    S.labelLayer.clearLayers();
    S.districts.forEach(function (f) {
      var p = f.properties || {};
      var lp = p.label_point;
      if (!Array.isArray(lp)) return;
      L.marker([lp[1], lp[0]], {
        pane: 'labels',
        interactive: false,
        keyboard: false,
        icon: L.divIcon({ className: 'district-label', html: VK.textNode('span', localName(p.name)), iconSize: null })
      }).addTo(S.labelLayer);
    });
  }

  function geomKind(g) {
    if (!g) return null;
    if (g.type === 'Point' || g.type === 'MultiPoint') return 'point';
    if (g.type === 'LineString' || g.type === 'MultiLineString') return 'line';
    return 'area';
  }

  function styleFor(status, kind) {
    status = look(status);
    var st = STATUS[status];
    if (kind === 'point') {
      return {
        radius: 9, color: st.color, weight: 3, opacity: 1,
        fillColor: status === 'closed' ? '#ffffff' : st.color,
        fillOpacity: status === 'closed' ? 1 : st.fill,
        dashArray: st.dash
      };
    }
    if (kind === 'line') {
      return { color: st.color, weight: 6, opacity: 1, dashArray: st.lineDash, lineCap: 'round' };
    }
    return {
      color: st.color, weight: 4, opacity: 1, dashArray: st.lineDash, lineCap: 'round',
      fillColor: st.color, fillOpacity: status === 'closed' ? 0.08 : 0.2
    };
  }

  function makeLayer(f) {
    var kind = geomKind(f.geometry);
    if (!kind || districtOnly(f)) return null; // listed, not drawn
    var status = (f.properties && f.properties.status) || 'received';
    var layer = L.geoJSON(f, {
      pointToLayer: function (feat, latlng) {
        return L.circleMarker(latlng, styleFor(status, 'point'));
      },
      style: function () { return styleFor(status, kind); }
    });
    layer.on('click', function (e) {
      if (S.drawing) return; // the map's click handler adds the vertex
      openFeature(f.id, e.latlng, false);
    });
    return layer;
  }

  function addFeatureLayer(f) {
    var layer = makeLayer(f);
    if (!layer) return;
    layer.addTo(S.feedbackLayer);
    S.layers[f.id] = layer;
  }

  function drawFeedback() {
    if (!S.feedbackLayer) return;
    S.feedbackLayer.clearLayers();
    S.layers = {};
    if (S.clusters && clustered()) {
      drawClusters(S.clusters);
      // The resident's own new item stays drawn over the clusters.
      var mine = S.lastCreatedId !== null && findFeature(S.lastCreatedId);
      if (mine) addFeatureLayer(mine);
      return;
    }
    visibleFeatures().forEach(addFeatureLayer);
  }

  /* ---------- the view's data: clusters or items, never the whole city ---------- */

  // Up to this zoom the tiles hold clusters (src/tiles/tiles.h
  // TILES_CLUSTER_MAX_ZOOM); above it the view's items are drawn one by one.
  var CLUSTER_MAX_ZOOM = 14;
  // Items asked for per view: drawn at street zoom and listed. A view with
  // more says so in the list; below street zoom only a list's worth.
  var VIEW_LIMIT = 500, LIST_LIMIT_CLUSTERED = 50;
  // Clusters drawn: at most one per CLUSTER_PX square of the map, from tiles
  // two zooms out (1024 px, the server's 64-unit cells 16 px): 2–4 tiles
  // cover a view, and 4×4 of their cells make one cluster on screen.
  var CLUSTER_PX = 64, TILE_ZOOM_OUT = 2, TILE_CACHE_MAX = 64;

  function clustered() { return !!S.map && S.map.getZoom() <= CLUSTER_MAX_ZOOM; }

  // The filters as query parameters, the same for items and tiles.
  function filterParams() {
    var q = [];
    if (S.filter.category) q.push('category=' + encodeURIComponent(S.filter.category));
    if (S.filter.status) q.push('status=' + (S.filter.status === 'closed' ? CLOSED : [S.filter.status]).join(','));
    return q;
  }

  function bboxParam(b) {
    var w = Math.max(-180, b.getWest()), e = Math.min(180, b.getEast());
    var s = Math.max(-85, b.getSouth()), n = Math.min(85, b.getNorth());
    return [w, s, e, n].map(function (v) { return v.toFixed(6); }).join(',');
  }

  // The items' box: the view, or the reach of "near me" when it is on.
  function itemsBounds() {
    if (S.filter.near) return L.latLng(S.filter.near.lat, S.filter.near.lng).toBounds(2 * NEAR_RADIUS_M);
    return S.map.getBounds();
  }

  // Moves come in bursts (a drag, a zoom's steps): the last one loads.
  function scheduleView() {
    setListBusy(true);
    if (S.viewTimer) window.clearTimeout(S.viewTimer);
    S.viewTimer = window.setTimeout(function () { S.viewTimer = null; loadView(); }, 120);
  }

  // One tile, decoded; kept (up to TILE_CACHE_MAX, for TILE_KEEP_MS) so
  // that panning back or a little asks only for the tiles that came into
  // view, while new reports still reach the counts within a minute.
  var TILE_KEEP_MS = 60000;
  function getTile(url) {
    var kept = S.tileCache[url];
    if (kept && Date.now() - kept.at < TILE_KEEP_MS) return kept.p;
    // A busy server (503, e.g. while its count grid is built at start)
    // says when to ask again: once, after at most 5 s.
    var get = function (again) {
      return fetch(url, { credentials: 'same-origin' }).then(function (r) {
        if (r.status === 503 && again) {
          var wait = Math.min(5, Number(r.headers.get('Retry-After')) || 2) * 1000;
          return new Promise(function (ok) { window.setTimeout(ok, wait); }).then(function () { return get(false); });
        }
        if (!r.ok) throw new Error('tile ' + r.status);
        return r.arrayBuffer();
      });
    };
    var p = get(true).then(function (buf) { return VK.mvt.decode(buf).feedback || { extent: 4096, features: [] }; });
    p.catch(function () { delete S.tileCache[url]; });
    if (!kept) S.tileOrder.push(url);
    S.tileCache[url] = { p: p, at: Date.now() };
    while (S.tileOrder.length > TILE_CACHE_MAX) delete S.tileCache[S.tileOrder.shift()];
    return p;
  }

  // The clusters of the view: the tiles' cells summed into CLUSTER_PX
  // squares, each at its items' mean; lines and areas as the tiles draw
  // them (cut at the tiles' edges), one group per item.
  function loadClusters(q) {
    var map = S.map, z = map.getZoom(), tz = Math.max(0, z - TILE_ZOOM_OUT);
    var scale = Math.pow(2, z - tz) * 256, n = Math.pow(2, tz);
    var px = map.getPixelBounds();
    var x0 = Math.max(0, Math.floor(px.min.x / scale)), x1 = Math.min(n - 1, Math.floor(px.max.x / scale));
    var y0 = Math.max(0, Math.floor(px.min.y / scale)), y1 = Math.min(n - 1, Math.floor(px.max.y / scale));
    var jobs = [];
    for (var y = y0; y <= y1; y++) {
      for (var x = x0; x <= x1; x++) {
        jobs.push({ x: x, y: y, p: getTile('/ogcapi/collections/feedback/tiles/WebMercatorQuad/' + tz + '/' + y + '/' + x +
          (q.length ? '?' + q.join('&') : '')) });
      }
    }
    return Promise.all(jobs.map(function (j) { return j.p; })).then(function (layers) {
      var cells = {}, shapes = {};
      layers.forEach(function (l, i) {
        var j = jobs[i];
        var toPx = function (pt) { return [(j.x + pt[0] / l.extent) * scale, (j.y + pt[1] / l.extent) * scale]; };
        l.features.forEach(function (f) {
          if (f.type === 1) {
            var c = f.properties.count || 1;
            f.rings.forEach(function (r) {
              var p = toPx(r[0]);
              var k = Math.floor(p[0] / CLUSTER_PX) + ':' + Math.floor(p[1] / CLUSTER_PX);
              var cell = cells[k] || (cells[k] = { n: 0, sx: 0, sy: 0 });
              cell.n += c; cell.sx += p[0] * c; cell.sy += p[1] * c;
            });
          } else if (f.id) {
            var sh = shapes[f.id] || (shapes[f.id] = { id: f.id, type: f.type, status: f.properties.status, parts: [] });
            f.rings.forEach(function (r) {
              sh.parts.push(r.map(function (pt) { var p = toPx(pt); return map.unproject(L.point(p[0], p[1]), z); }));
            });
          }
        });
      });
      var out = { zoom: z, clusters: [], shapes: Object.keys(shapes).map(function (k) { return shapes[k]; }) };
      var view = map.getBounds().pad(0.05);
      Object.keys(cells).forEach(function (k) {
        var c = cells[k], ll = map.unproject(L.point(c.sx / c.n, c.sy / c.n), z);
        if (view.contains(ll)) out.clusters.push({ n: c.n, latlng: ll });
      });
      return out;
    });
  }

  // Clusters are buttons named by their count; Enter, space or a click
  // zooms in there. Together they are one Tab stop (a roving tabindex, in
  // reading order): the arrow keys, Home and End move among them, so a map
  // of a hundred clusters does not cost a hundred Tab presses.
  function drawClusters(data) {
    var list = data.clusters.slice().sort(function (a, b) {
      return (b.latlng.lat - a.latlng.lat) || (a.latlng.lng - b.latlng.lng);
    });
    var els = [];
    var zoomInto = function (c, fromKeys) {
      if (S.drawing) { addVertex(c.latlng, 'tap'); return; }
      S.map.setView(c.latlng, Math.min(S.map.getZoom() + 2, CLUSTER_MAX_ZOOM + 1), { animate: false });
      announce(t('clusterZoomed', { n: c.n, count: VK.formatNumber(c.n) }));
      if (fromKeys) S.map.getContainer().focus({ preventScroll: true });
    };
    var moveTo = function (i) {
      if (!els[i]) return;
      els.forEach(function (e, k) { if (e) e.setAttribute('tabindex', k === i ? '0' : '-1'); });
      els[i].focus({ preventScroll: true });
    };
    list.forEach(function (c, i) {
      var label = t('clusterLabel', { n: c.n, count: VK.formatNumber(c.n) });
      var size = c.n < 100 ? 34 : c.n < 10000 ? 42 : 52;
      var m = L.marker(c.latlng, {
        icon: L.divIcon({ className: 'fb-cluster', html: VK.textNode('span', VK.formatNumber(c.n)), iconSize: [size, size] }),
        keyboard: false, title: label
      });
      m.on('add', function () {
        var e = m.getElement();
        if (!e) return;
        els[i] = e;
        e.setAttribute('role', 'button');
        e.setAttribute('aria-label', label);
        e.setAttribute('tabindex', i === 0 ? '0' : '-1');
        e.addEventListener('keydown', function (ev) {
          var k = ev.key;
          if (k === 'Enter' || k === ' ') { ev.preventDefault(); zoomInto(c, true); }
          else if (k === 'ArrowRight' || k === 'ArrowDown') { ev.preventDefault(); moveTo(Math.min(els.length - 1, i + 1)); }
          else if (k === 'ArrowLeft' || k === 'ArrowUp') { ev.preventDefault(); moveTo(Math.max(0, i - 1)); }
          else if (k === 'Home') { ev.preventDefault(); moveTo(0); }
          else if (k === 'End') { ev.preventDefault(); moveTo(els.length - 1); }
        });
      });
      m.on('click', function () { zoomInto(c, false); });
      m.addTo(S.feedbackLayer);
    });
    data.shapes.forEach(function (sh) {
      var kind = sh.type === 2 ? 'line' : 'area';
      var st = styleFor(sh.status, kind);
      var g = L.featureGroup(sh.parts.map(function (ll) {
        return kind === 'line' ? L.polyline(ll, st) : L.polygon(ll, st);
      }));
      g.on('click', function (e) {
        if (S.drawing) return;
        showById(sh.id, e.latlng);
      });
      g.addTo(S.feedbackLayer);
      S.layers[sh.id] = g;
    });
  }

  // The view's data: its items (drawn from street zoom, always listed) and,
  // below street zoom, its clusters. Resolves when drawn; a load that a
  // newer one overtook resolves without drawing.
  // The list is aria-busy from a move or a filter until the view's answer
  // is drawn (screen readers wait; the tests too).
  function setListBusy(busy) {
    var ol = $('feedback-list');
    if (!ol) return;
    if (busy) ol.setAttribute('aria-busy', 'true');
    else ol.removeAttribute('aria-busy');
  }

  function loadView() {
    if (!S.map) return Promise.resolve(false);
    setListBusy(true);
    var seq = ++S.viewSeq;
    var q = filterParams(), cl = clustered();
    var limit = cl && !S.filter.near ? LIST_LIMIT_CLUSTERED : VIEW_LIMIT;
    var items = VK.getJSON('/api/v1/feedback?' + ['bbox=' + bboxParam(itemsBounds()), 'limit=' + limit].concat(q).join('&'))
      .catch(function () { return null; });
    var tiles = cl ? loadClusters(q).catch(function () { return null; }) : Promise.resolve(null);
    return Promise.all([items, tiles]).then(function (res) {
      if (seq !== S.viewSeq) return false; // overtaken by a newer view
      var fc = res[0];
      if (!fc || (cl && !res[1])) showLoadError();
      var got = {};
      S.known = {};
      var feats = (fc && fc.features) || [];
      feats.forEach(function (f) { got[f.id] = true; S.known[f.id] = f; });
      // The item to open, and the resident's new one, stay in the list.
      [S.pendingOpen, S.lastCreatedId].forEach(function (id) {
        var f = id !== null && S.extra && S.extra[id];
        if (f && !got[f.id]) { feats.push(f); got[f.id] = true; S.known[f.id] = f; }
      });
      S.features = feats.sort(function (a, b) { return a.id - b.id; });
      S.viewMatched = fc && typeof fc.numberMatched === 'number' ? fc.numberMatched : feats.length;
      S.clusters = res[1];
      if (S.filter.near) {
        S.nearDist = {};
        S.features.forEach(function (f) { S.nearDist[f.id] = featureDistance(f, S.filter.near); });
      }
      document.body.setAttribute('data-ready', 'true');
      drawFeedback();
      renderList();
      if (!S.viewTimer) setListBusy(false);
      if (S.pendingOpen !== null) {
        var id = S.pendingOpen;
        S.pendingOpen = null;
        if (openFeature(id, null, false)) announce(t('shownOnMap'));
      }
      return true;
    });
  }

  // An item wherever it is: from the view, or asked for by its id.
  function fetchFeature(id) {
    var f = findFeature(id);
    if (f) return Promise.resolve(f);
    return VK.getJSON('/api/v1/feedback/' + encodeURIComponent(id)).then(function (g) {
      remember(g);
      return g;
    }, function () { return null; });
  }

  // Kept beyond the view that brought it (opened, or the resident's own).
  function remember(f) {
    if (!f) return;
    S.extra = S.extra || {};
    S.extra[f.id] = f;
    S.known[f.id] = f;
  }

  // A line or area clicked in a cluster view: its popup, where clicked.
  function showById(id, latlng) {
    fetchFeature(id).then(function (f) {
      if (!f) return;
      openFeature(id, latlng, false);
    });
  }

  /* ---------- filters: topic, status, near me ---------- */

  var NEAR_RADIUS_M = 2000;

  function passes(f) {
    var p = f.properties || {};
    if (S.filter.category && p.category !== S.filter.category) return false;
    var st = S.filter.status;
    if (st) {
      var status = p.status || 'received';
      if (st === 'closed' ? CLOSED.indexOf(status) < 0 : status !== st) return false;
    }
    if (S.filter.near && !(S.nearDist[f.id] <= NEAR_RADIUS_M)) return false;
    return true;
  }

  // The features that pass the filters, newest first, or nearest first
  // when "near me" is on.
  function visibleFeatures() {
    var out = S.features.filter(passes).reverse();
    if (S.filter.near) out.sort(function (a, b) { return S.nearDist[a.id] - S.nearDist[b.id]; });
    return out;
  }

  function fillFilterSelects() {
    var cs = $('filter-category');
    if (!cs) return;
    var keep = cs.value;
    while (cs.options.length > 1) cs.remove(1);
    S.categories.forEach(function (c) {
      var o = el('option', null, localName(c.name));
      o.value = c.id;
      cs.appendChild(o);
    });
    cs.value = keep;
    var ss = $('filter-status');
    keep = ss.value;
    while (ss.options.length > 1) ss.remove(1);
    ['received', 'in_progress', 'planned', 'closed'].forEach(function (k) {
      var o = el('option', null, k === 'closed' ? t('legendClosed') : VK.statusName(k));
      o.value = k;
      ss.appendChild(o);
    });
    ss.value = keep;
    updateNearButton();
  }

  function applyFilters() {
    S.filter.category = $('filter-category').value;
    S.filter.status = $('filter-status').value;
    S.listShown = LIST_PAGE;
    if (S.map) { S.map.closePopup(); return loadView(); }
    renderList();
    return Promise.resolve(false);
  }

  function updateNearButton() {
    var b = $('near-me');
    if (!b) return;
    b.setAttribute('aria-pressed', S.filter.near ? 'true' : 'false');
  }

  function distanceM(a, b) {
    var R = 6371008.8, rad = Math.PI / 180;
    var dLat = (b.lat - a.lat) * rad, dLng = (b.lng - a.lng) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  // The distance to a feature: to its point, or to the middle of its extent.
  function featureDistance(f, at) {
    var layer = S.layers[f.id] || makeLayer(f);
    if (!layer) return Infinity;
    var c = layer.getBounds().getCenter();
    return distanceM(at, c);
  }

  function toggleNearMe() {
    if (S.filter.near) {
      S.filter.near = null;
      S.nearDist = {};
      if (S.locLayer) S.locLayer.clearLayers();
      updateNearButton();
      setFilterStatus(t('nearOff'));
      applyFilters();
      return;
    }
    setFilterStatus(t('locating'));
    locate(function (pos) {
      S.filter.near = pos;
      S.nearDist = {};
      updateNearButton();
      showLocation(pos, 15);
      // The items within reach are asked for now (the move's own load is
      // overtaken); the count is theirs.
      applyFilters().then(function (drawn) {
        if (!drawn || S.filter.near !== pos) return;
        var n = visibleFeatures().length;
        setFilterStatus(t('nearOn', { n: n, km: VK.formatNumber(NEAR_RADIUS_M / 1000), acc: VK.formatNumber(Math.round(pos.accuracy)) }));
      });
    }, function (key) { setFilterStatus(t(key)); });
  }

  function setFilterStatus(text) {
    var s = $('filter-status-text');
    if (s) s.textContent = text;
  }

  /* ---------- the browser's location ---------- */

  // ok({lat, lng, accuracy}) or fail(key of the message to show).
  function locate(ok, fail) {
    if (!navigator.geolocation) { fail('locateUnsupported'); return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      ok({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy || 0 });
    }, function (err) {
      fail(err && err.code === 1 ? 'locateDenied' : 'locateFailed');
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  // The location on the map, with a circle as wide as its accuracy.
  function showLocation(pos, zoom) {
    if (!S.map) return;
    S.locLayer.clearLayers();
    var ll = L.latLng(pos.lat, pos.lng);
    if (pos.accuracy > 0) {
      L.circle(ll, { radius: pos.accuracy, interactive: false, color: '#0a4f7e', weight: 2, dashArray: '4 4',
        fillColor: '#0a4f7e', fillOpacity: 0.08 }).addTo(S.locLayer);
    }
    L.circleMarker(ll, { radius: 6, interactive: false, color: '#ffffff', weight: 2, fillColor: '#0a4f7e',
      fillOpacity: 1 }).addTo(S.locLayer);
    S.map.setView(ll, Math.max(S.map.getZoom(), zoom), { animate: false });
  }

  // "Use my location" while marking: the point goes where the browser says
  // the resident is; the map then shows it to be checked and corrected.
  function useMyLocation() {
    setDrawStatus(t('locating'));
    locate(function (pos) {
      showLocation(pos, 16);
      var acc = VK.formatNumber(Math.round(pos.accuracy));
      if (S.mode === 'point') {
        S.drafts.point = [L.latLng(pos.lat, pos.lng)];
        renderDraft();
        updateDrawUI();
        checkNearby();
        setDrawStatus(tt('locatedPoint', { acc: acc }));
      } else {
        setDrawStatus(t('locatedMap', { acc: acc }));
      }
    }, function (key) { setDrawStatus(t(key)); });
  }

  var openPopup = null; // { id, latlng }

  function openFeature(id, latlng, zoomTo) {
    var f = findFeature(id);
    var layer = S.layers[id] || (f && makeLayer(f));
    if (!layer || !f) return false;
    var bounds = layer.getBounds();
    if (zoomTo) {
      // Without animation, so that the popup's auto-pan below sees the final
      // view (an animated zoom would leave a tall popup cut off).
      if (geomKind(f.geometry) === 'point') {
        S.map.setView(bounds.getCenter(), Math.max(S.map.getZoom(), 15), { animate: false });
      } else {
        S.map.fitBounds(bounds, { padding: [40, 40], maxZoom: 16, animate: false });
      }
    }
    var at = latlng || bounds.getCenter();
    openPopup = { id: id, latlng: at };
    // Never taller or wider than the map (a phone's map is short): a long
    // item scrolls inside its popup, so "me too" stays reachable.
    var size = S.map.getSize();
    L.popup({ maxWidth: Math.max(160, Math.min(320, size.x - 70)), minWidth: Math.min(200, size.x - 90),
      maxHeight: Math.max(120, size.y - 90), autoPanPadding: [10, 10], className: 'fb-popup-wrap' })
      .setLatLng(at)
      .setContent(featureDetails(f, 'h3', 'popup'))
      .openOn(S.map);
    return true;
  }

  function refreshPopup() {
    if (!openPopup || !S.map) return;
    var p = S.map._popup;
    if (p && S.map.hasLayer(p)) {
      var f = findFeature(openPopup.id);
      if (f) p.setContent(featureDetails(f, 'h3', 'popup'));
    }
  }

  function findFeature(id) {
    for (var i = 0; i < S.features.length; i++) {
      if (String(S.features[i].id) === String(id)) return S.features[i];
    }
    return S.known[id] || (S.extra && S.extra[id]) || null;
  }

  /* ---------- shared rendering of one feature ---------- */

  // Dates in words ("23 November 2026"), in Finnish time; VK.formatDate
  // gives numeric dates, which the public list and popups do not use.
  function formatDate(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    try {
      return new Intl.DateTimeFormat(VK.LOCALES[VK.lang()], { dateStyle: 'long', timeZone: 'Europe/Helsinki' }).format(d);
    } catch (e) {
      return d.toISOString().slice(0, 10);
    }
  }

  // A decorative symbol (the words are beside it) of the given width.
  function symbol(viewWidth, width) {
    return VK.svg('svg', { viewBox: '0 0 ' + viewWidth + ' 24', width: String(width), height: '22',
      'aria-hidden': 'true', focusable: 'false' });
  }

  function statusSymbol(status) {
    var svg = symbol(24, 22);
    status = look(status);
    var st = STATUS[status];
    var c = VK.svg('circle', { cx: '12', cy: '12', r: '8', stroke: st.color, 'stroke-width': '3' });
    if (status === 'closed') {
      c.setAttribute('fill', '#ffffff');
    } else {
      c.setAttribute('fill', st.color);
      c.setAttribute('fill-opacity', String(st.fill));
    }
    if (st.dash) c.setAttribute('stroke-dasharray', st.dash);
    svg.appendChild(c);
    return svg;
  }

  function lineSymbol(status) {
    var svg = symbol(48, 44);
    if (status) status = look(status);
    var st = status ? STATUS[status] : null;
    var p = VK.svg('path', { d: 'M4 18 L20 6 L44 14', fill: 'none', 'stroke-linecap': 'round' });
    if (st) {
      p.setAttribute('stroke', st.color);
      p.setAttribute('stroke-width', '4');
      if (st.lineDash) p.setAttribute('stroke-dasharray', status === 'closed' ? '1 6' : status === 'planned' ? '3 4' : '8 5');
    } else {
      p.setAttribute('stroke', '#3d4650');
      p.setAttribute('stroke-width', '2');
      p.setAttribute('stroke-dasharray', '6 4');
      p.setAttribute('d', 'M4 12 L44 12');
    }
    svg.appendChild(p);
    return svg;
  }

  function statusText(p) {
    var s = VK.statusName(p.status || 'received');
    return s;
  }

  function categoryName(id) {
    var c = S.catById[id];
    return c ? localName(c.name) : (id || t('unknownCategory'));
  }

  /* A feature as a heading, a status line and a description list. Used in
   * both the popup and the list so that both tell the same things. */
  function featureDetails(f, headingTag, prefix) {
    var p = f.properties || {};
    var wrap = el('div', 'fb-details');
    var h = el(headingTag, 'fb-title', categoryName(p.category));
    h.id = prefix + '-title-' + f.id;
    wrap.appendChild(h);
    var st = el('p', 'fb-status status-' + (p.status || 'received'));
    st.appendChild(statusSymbol(p.status || 'received'));
    st.appendChild(el('span', null, statusText(p)));
    wrap.appendChild(st);
    var dl = el('dl', 'fb-fields');
    function row(label, value, valueLang) {
      if (value === null || value === undefined || value === '') return;
      dl.appendChild(el('dt', null, label));
      var dd = el('dd', null, value);
      if (valueLang) dd.lang = valueLang;
      dl.appendChild(dd);
    }
    row(t('fDescription'), p.description);
    var cat = S.catById[p.category];
    VK.questions.describe(cat && cat.attributes, p.attributes).forEach(function (a) { row(a[0], a[1]); });
    row(t('fPlace'), p.place);
    if (S.filter.near && prefix !== 'nearby' && S.nearDist[f.id] !== undefined) row(t('fDistance'), distanceText(S.nearDist[f.id]));
    if (p.district && S.distByCode[p.district]) {
      row(t('fDistrict'), localName(S.distByCode[p.district].properties.name));
    }
    row(t('fCreated'), formatDate(p.created));
    row(t('fForwardedTo'), p.forwarded_to);
    row(t('fResolutionReason'), p.resolution_reason);
    if (p.duplicate_of) row(t('fDuplicateOf'), '#' + p.duplicate_of);
    if (p.answer) {
      // In the reader's language where written, else as written, with its lang.
      var answer = VK.answerIn(p, 'answer');
      row(t('fAnswer'), answer.text, answer.lang);
      row(t('fAnswered'), formatDate(p.answered));
    }
    if (!isOpen(p.status) && p.me_too > 0) row(t('fMeToo'), t('meTooCount', { n: p.me_too }));
    wrap.appendChild(dl);
    // Approved photos only ever reach the public list (docs/photos.md).
    if (Array.isArray(p.photos) && p.photos.length && VK.photoThumbs) {
      wrap.appendChild(VK.photoThumbs(p.photos, { alt: function (ph, i) { return t('photoOfItem', { n: i + 1, id: f.id }); } }));
    }
    if (isOpen(p.status)) wrap.appendChild(meTooControl(f.id, p.me_too || 0, prefix));
    return wrap;
  }

  function isOpen(status) {
    return !status || OPEN.indexOf(status) >= 0;
  }

  /* ---------- "me too" ---------- */

  // Which items this browser has supported, so that their buttons show as
  // pressed after a reload (the server keeps its own count, one per browser).
  var ME_TOO_KEY = 'vaikuta.meToo';

  function supported() {
    try {
      var v = JSON.parse(localStorage.getItem(ME_TOO_KEY) || '[]');
      return Array.isArray(v) ? v.map(String) : [];
    } catch (e) { return []; }
  }

  function rememberSupport(id) {
    var ids = supported();
    if (ids.indexOf(String(id)) >= 0) return;
    ids.push(String(id));
    try { localStorage.setItem(ME_TOO_KEY, JSON.stringify(ids)); } catch (e) { /* ignore */ }
  }

  /* A "me too" button with the count, and a polite status line beside it
   * telling what the last press did. prefix keeps ids unique when the same
   * item is in the list, a popup and the suggestions at once. */
  function meTooControl(id, count, prefix) {
    var box = el('div', 'metoo');
    var b = el('button', 'button button-secondary button-small metoo-button');
    b.type = 'button';
    b.id = prefix + '-metoo-' + id;
    b.setAttribute('data-metoo-id', String(id));
    var status = el('p', 'metoo-status');
    status.id = prefix + '-metoo-status-' + id;
    status.setAttribute('aria-live', 'polite');
    // The item's heading (built by the caller with this id) names what the
    // button supports; the status line tells what the press did.
    b.setAttribute('aria-describedby', prefix + '-title-' + id + ' ' + status.id);
    setMeTooButton(b, count);
    b.addEventListener('click', function () { sendMeToo(id, b, status); });
    box.appendChild(b);
    box.appendChild(status);
    return box;
  }

  function setMeTooButton(b, count) {
    var id = b.getAttribute('data-metoo-id');
    var pressed = supported().indexOf(id) >= 0;
    b.setAttribute('aria-pressed', pressed ? 'true' : 'false');
    b.setAttribute('data-count', String(count));
    b.textContent = '';
    b.appendChild(el('span', 'metoo-mark', pressed ? '\u2713 ' : ''));
    b.lastChild.setAttribute('aria-hidden', 'true');
    b.appendChild(document.createTextNode(t('meToo', { n: count })));
  }

  function sendMeToo(id, button, status) {
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    VK.api('POST', '/api/v1/feedback/' + encodeURIComponent(id) + '/me-too').then(function (r) {
      button.removeAttribute('aria-disabled');
      rememberSupport(id);
      var f = findFeature(id);
      if (f) f.properties.me_too = r.me_too;
      var ns = S.nearby || [];
      for (var i = 0; i < ns.length; i++) {
        if (String(ns[i].id) === String(id)) ns[i].properties.me_too = r.me_too;
      }
      document.querySelectorAll('.metoo-button[data-metoo-id="' + String(id) + '"]').forEach(function (b) {
        setMeTooButton(b, r.me_too);
      });
      status.textContent = r.counted ? t('meTooCounted') : t('meTooAlready');
    }, function () {
      button.removeAttribute('aria-disabled');
      status.textContent = t('meTooFailed');
    });
  }

  /* ---------- legend ---------- */

  function renderLegend() {
    var ul = $('legend-list');
    if (!ul) return;
    ul.textContent = '';
    ['received', 'in_progress', 'planned', 'closed'].forEach(function (s) {
      var li = el('li', 'legend-item');
      var sym = el('span', 'legend-symbols');
      sym.appendChild(statusSymbol(s));
      sym.appendChild(lineSymbol(s));
      li.appendChild(sym);
      li.appendChild(el('span', null, s === 'closed' ? t('legendClosed') : VK.statusName(s)));
      ul.appendChild(li);
    });
    var li = el('li', 'legend-item');
    var sym = el('span', 'legend-symbols');
    sym.appendChild(lineSymbol(null));
    li.appendChild(sym);
    li.appendChild(el('span', null, t('legendDistrict')));
    ul.appendChild(li);
    var li2 = el('li', 'legend-item');
    var sym2 = el('span', 'legend-symbols legend-draft');
    sym2.appendChild(el('span', 'draft-swatch'));
    li2.appendChild(sym2);
    li2.appendChild(el('span', null, t('legendDraft')));
    ul.appendChild(li2);
  }

  /* ---------- list ---------- */

  function renderList() {
    var ol = $('feedback-list');
    if (!ol) return;
    var items = visibleFeatures();
    var n = items.length;
    var filtered = S.filter.category || S.filter.status || S.filter.near;
    // The list holds the view's items; a view with more than were sent
    // says how many there are and that zooming in shows them.
    $('list-count').textContent = (n ? t(filtered ? 'listCountFiltered' : 'listCount', { n: n })
      : !document.body.hasAttribute('data-ready') ? t('listLoading')
        : t(filtered ? 'listEmptyFiltered' : S.viewSeq ? 'listEmptyView' : 'listEmpty')) +
      (S.viewMatched > S.features.length ? ' ' + t('listPartial', { n: S.viewMatched, count: VK.formatNumber(S.viewMatched) }) : '');
    ol.textContent = '';
    var shown = Math.min(S.listShown, n);
    for (var i = 0; i < shown; i++) ol.appendChild(listItem(items[i]));
    var more = $('list-more');
    if (n > shown) {
      more.hidden = false;
      more.textContent = t('listMore', { n: n - shown });
    } else {
      more.hidden = true;
    }
  }

  function listItem(f) {
    var li = el('li', 'fb-item');
    li.id = 'fb-' + f.id;
    li.setAttribute('data-id', String(f.id));
    var art = el('article', 'fb-card');
    var details = featureDetails(f, 'h3', 'list');
    art.setAttribute('aria-labelledby', 'list-title-' + f.id);
    art.appendChild(details);
    var kind = districtOnly(f) ? null : geomKind(f.geometry);
    var meta = el('p', 'fb-meta', t('feedbackNumber', { id: f.id }) +
      (kind ? ' · ' + t('geom_' + kind) : districtOnly(f) ? ' · ' + t('districtOnly') : ''));
    art.appendChild(meta);
    if (kind) {
      var b = el('button', 'button button-secondary button-small fb-show', t('showOnMap'));
      b.type = 'button';
      b.id = 'show-' + f.id;
      b.setAttribute('aria-describedby', 'list-title-' + f.id + ' fb-meta-' + f.id);
      meta.id = 'fb-meta-' + f.id;
      b.addEventListener('click', function () { showOnMap(f.id); });
      art.appendChild(b);
    }
    li.appendChild(art);
    return li;
  }

  function showOnMap(id) {
    if (S.drawing) stopDrawing();
    return fetchFeature(id).then(function (f) {
      if (!f || !S.map || districtOnly(f) || !makeLayer(f)) { announce(t('noMapForThis')); return; }
      remember(f);
      var wrap = document.querySelector('.map-wrap');
      var r = wrap.getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight) {
        wrap.scrollIntoView({ block: 'nearest', behavior: 'auto' });
      }
      if (!clustered() && S.layers[id] && S.map.getBounds().intersects(S.layers[id].getBounds()) &&
          openFeature(id, null, true)) {
        announce(t('shownOnMap'));
        return;
      }
      // Elsewhere, or in a cluster: to street zoom there, whose load opens it.
      var b = makeLayer(f).getBounds();
      var z = Math.max(CLUSTER_MAX_ZOOM + 1, Math.min(16, S.map.getBoundsZoom(b.pad(0.2))));
      S.pendingOpen = f.id;
      S.map.setView(b.getCenter(), Math.max(z, S.map.getZoom()), { animate: false });
      scheduleView();
    });
  }

  function announce(text) {
    var a = $('announcer');
    a.textContent = '';
    window.setTimeout(function () { a.textContent = text; }, 50);
  }

  /* ---------- selects ---------- */

  function fillCategorySelect() {
    var sel = $('category');
    var keep = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    S.categories.forEach(function (c) {
      var o = document.createElement('option');
      o.value = c.id;
      o.textContent = localName(c.name);
      sel.appendChild(o);
    });
    sel.value = keep;
    updateCategoryHint();
  }

  function updateCategoryHint() {
    var c = S.catById[$('category').value];
    var hint = $('category-hint');
    hint.textContent = c ? localName(c.description) : '';
    hint.hidden = !hint.textContent;
    renderAttributes();
  }

  /* ---------- the category's own questions ---------- */

  // Each category may ask a few questions of its own (GET /api/v1/categories
  // "attributes"); lib/questions.js draws them as ordinary fields after the
  // category and they are sent as properties.attributes. Redrawn on a change
  // of category or language, keeping what was already answered.
  var ATTR_PREFIX = 'attr-';

  function attributeDefs() {
    var c = S.catById[$('category').value];
    return (c && c.attributes) || [];
  }

  function renderAttributes() {
    Object.keys(FIELDS).forEach(function (k) { if (k.indexOf('attr:') === 0) delete FIELDS[k]; });
    var defs = attributeDefs();
    var fields = VK.questions.render($('attributes-fields'), defs, ATTR_PREFIX, S.shownAttributes);
    S.shownAttributes = defs;
    Object.keys(fields).forEach(function (code) { FIELDS['attr:' + code] = fields[code]; });
    $('attributes').hidden = defs.length === 0;
  }

  // The answers for properties.attributes; errors for the client's checks.
  function collectAttributes(errs) {
    var found = [];
    var out = VK.questions.collect(S.shownAttributes, ATTR_PREFIX, found);
    found.forEach(function (e) { errs.push({ field: 'attr:' + e.code, key: e.key, vars: e.vars }); });
    return out;
  }

  function fillDistrictSelect() {
    var sel = $('district');
    var keep = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    var ds = S.districts.slice().sort(function (a, b) {
      return localName(a.properties.name).localeCompare(localName(b.properties.name), VK.LOCALES[VK.lang()]);
    });
    ds.forEach(function (d) {
      var o = document.createElement('option');
      o.value = d.properties.code;
      o.textContent = localName(d.properties.name);
      sel.appendChild(o);
    });
    sel.value = keep;
  }

  /* ---------- drawing ---------- */

  function currentDraft() {
    return (S.mode && S.drafts[S.mode]) || null;
  }

  function sameLatLng(a, b) {
    return a && b && Math.abs(a.lat - b.lat) < 1e-9 && Math.abs(a.lng - b.lng) < 1e-9;
  }

  // how: 'tap' (the map was clicked or tapped), 'keys' (Enter on the map)
  // or 'button' (the crosshair button, which never moves a point already
  // marked: on a phone the crosshair is the map's centre, not where she
  // tapped).
  function addVertex(latlng, how) {
    var d = currentDraft();
    if (!d) return;
    if (S.mode === 'point') S.pointPrecision = 'exact'; // moved by hand
    var ll = L.latLng(latlng.lat, latlng.lng);
    if (S.mode === 'point') {
      if (how === 'button' && d.length) { setDrawStatus(tt('pointAlready')); return; }
      var moved = d.length > 0;
      d.length = 0;
      d.push(ll);
      setDrawStatus(moved ? t('pointMoved') : t('pointSet'));
      if (how === 'tap') {
        renderDraft();
        updateDrawUI();
        checkNearby();
        // The next step is right below the map: bring it into view.
        var fin = $('draw-finish');
        if (fin.scrollIntoView) fin.scrollIntoView({ block: 'nearest' });
        return;
      }
    } else {
      if (sameLatLng(d[d.length - 1], ll)) return;
      d.push(ll);
      setDrawStatus(t('vertexAdded', { n: d.length }));
    }
    renderDraft();
    updateDrawUI();
    checkNearby();
    updateNear();
  }

  /* ---------- place search and "near" (lib/place-search.js, docs/places.md) ---------- */

  // A place chosen in the search box: the point goes there with precision
  // "address", until the resident moves it on the map.
  function placeAtAddress(p) {
    var radio = $('mode-point');
    if (!radio.checked) { radio.checked = true; setMode('point'); }
    S.drafts.point = typeof L !== 'undefined' ? [L.latLng(p.lat, p.lon)] : [{ lat: p.lat, lng: p.lon }];
    S.pointPrecision = p.kind === 'address' ? 'address' : 'exact';
    renderDraft();
    updateDrawUI();
    checkNearby();
    if (S.map) S.map.setView([p.lat, p.lon], Math.max(S.map.getZoom(), 16));
    setDrawStatus(t('placedAtAddress', { label: p.label }));
    updateNear();
  }

  // A place chosen in the search box over the map: the map goes there and
  // a ring shows it; nothing is placed (the resident taps the spot).
  function showSearchedPlace(p) {
    if (!S.map) return;
    if (S.searchRing) S.searchRing.remove();
    S.searchRing = L.circleMarker([p.lat, p.lon], {
      radius: 18, color: '#111111', weight: 3, dashArray: '4 3', fill: false, interactive: false, className: 'search-ring'
    }).addTo(S.map);
    S.map.setView([p.lat, p.lon], Math.max(S.map.getZoom(), 17), { animate: false });
  }

  // "near Koskenparras 3" under the summary, from the nearest address.
  function updateNear() {
    var box = $('pin-near');
    if (!box) return;
    var d = S.mode === 'point' ? currentDraft() : null;
    if (!d || !d.length) { box.textContent = ''; return; }
    var at = d[0], key = at.lng + ',' + at.lat;
    S.nearKey = key;
    VK.getJSON('/api/v1/reverse?lon=' + round7(at.lng) + '&lat=' + round7(at.lat) + '&lang=' + VK.lang())
      .then(function (r) {
        if (S.nearKey !== key) return;
        var p = r && r.results && r.results[0];
        box.textContent = p ? t('nearAddress', { label: p.label }) : '';
      }, function () { if (S.nearKey === key) box.textContent = ''; });
  }

  // An item placed by district only: its point is the district's label
  // point, which must not be drawn as if the place were known.
  function districtOnly(f) {
    return !!(f.properties && f.properties.location_precision === 'district');
  }

  function undoVertex() {
    var d = currentDraft();
    if (!d || !d.length) { setDrawStatus(t('nothingToUndo')); return; }
    d.pop();
    setDrawStatus(t('vertexRemoved', { n: d.length }));
    renderDraft();
    updateDrawUI();
    checkNearby();
    updateNear();
  }

  function minVertices(mode) {
    return mode === 'line' ? 2 : mode === 'area' ? 3 : 1;
  }

  function draftComplete() {
    var d = currentDraft();
    return !!d && d.length >= minVertices(S.mode);
  }

  function startDrawing(focusMap) {
    if (!S.map || !S.drafts[S.mode]) return;
    S.drawing = true;
    S.map.doubleClickZoom.disable();
    S.map.closePopup();
    $('crosshair').hidden = false;
    $('draw-toolbar').hidden = false;
    document.body.classList.add('is-drawing');
    if (S.map) S.map.invalidateSize({ pan: false }); // the map is shorter while marking on a phone
    setDrawStatus('');
    updateDrawUI();
    if (focusMap) {
      var wrap = document.querySelector('.map-wrap');
      wrap.scrollIntoView({ block: 'start' });
      S.map.getContainer().focus();
    }
  }

  function stopDrawing() {
    S.drawing = false;
    if (S.map) S.map.doubleClickZoom.enable();
    $('crosshair').hidden = true;
    $('draw-toolbar').hidden = true;
    document.body.classList.remove('is-drawing');
    if (S.map) S.map.invalidateSize({ pan: false });
    updateDrawUI();
  }

  function finishDrawing() {
    if (!draftComplete()) {
      setDrawStatus(t('needMore_' + S.mode));
      return;
    }
    stopDrawing();
    announce(t('drawingDone'));
    var h = $('step2-heading');
    h.scrollIntoView({ block: 'start' });
    h.focus();
  }

  function cancelDrawing() {
    var d = currentDraft();
    if (d) d.length = 0;
    renderDraft();
    stopDrawing();
    checkNearby();
    announce(t('drawingCancelled'));
    $('go-to-map').focus();
  }

  function setDrawStatus(text) {
    $('draw-status').textContent = text;
  }

  function renderDraft() {
    if (!S.draftLayer) return;
    S.draftLayer.clearLayers();
    var d = currentDraft();
    if (!d || !d.length) return;
    var opts = { pane: 'draft', interactive: false };
    if (S.mode === 'line' && d.length > 1) {
      L.polyline(d, Object.assign({ color: '#ffffff', weight: 9, opacity: 0.9 }, opts)).addTo(S.draftLayer);
      L.polyline(d, Object.assign({ color: DRAFT_COLOR, weight: 5 }, opts)).addTo(S.draftLayer);
    } else if (S.mode === 'area' && d.length > 1) {
      L.polygon(d, Object.assign({ color: DRAFT_COLOR, weight: 4, fillColor: DRAFT_COLOR, fillOpacity: 0.2 }, opts)).addTo(S.draftLayer);
    }
    d.forEach(function (ll, i) {
      L.circleMarker(ll, Object.assign({
        radius: S.mode === 'point' ? 15 : 8, color: '#ffffff', weight: 4,
        fillColor: DRAFT_COLOR, fillOpacity: 1
      }, opts)).addTo(S.draftLayer);
    });
  }

  function updateDrawUI() {
    var mode = S.mode;
    var mapMode = mode === 'point' || mode === 'line' || mode === 'area';
    var mapPart = $('location-map-part');
    var distPart = $('location-district-part');
    if (!mapPart) return;
    mapPart.hidden = !mapMode;
    distPart.hidden = mode !== 'district';
    if (!mapMode) return;
    var d = S.drafts[mode];
    var summary;
    if (d.length >= minVertices(mode)) summary = t('locSet_' + mode, { n: d.length });
    else if (d.length === 0) summary = t('locNone_' + mode);
    else summary = t('locPartial_' + mode, { n: d.length });
    $('location-summary').textContent = summary;
    $('go-to-map').textContent = d.length ? t('editOnMap') : t('goToMap');
    recheckErrors(null);
    $('draw-help').textContent = tt('drawHelp_' + mode);
    $('draw-undo').setAttribute('aria-disabled', d.length ? 'false' : 'true');
    $('draw-add').setAttribute('aria-disabled', mode === 'point' && d.length ? 'true' : 'false');
    $('draw-finish').setAttribute('aria-disabled', d.length >= minVertices(mode) ? 'false' : 'true');
  }

  function setMode(mode) {
    if (S.drawing) stopDrawing();
    S.mode = mode;
    renderDraft();
    updatePlaceRequired();
    if (mode === 'point' || mode === 'line' || mode === 'area') {
      startDrawing(false);
    }
    updateDrawUI();
    checkNearby();
  }

  function updatePlaceRequired() {
    var req = $('place-req');
    if (!req) return;
    var r = S.mode === 'district';
    req.textContent = r ? t('requiredWord') : t('optionalWord');
  }

  function ringCCW(coords) {
    // Shoelace on lon/lat: positive area = counter-clockwise (RFC 7946 exterior).
    var a = 0;
    for (var i = 0; i < coords.length - 1; i++) {
      a += coords[i][0] * coords[i + 1][1] - coords[i + 1][0] * coords[i][1];
    }
    return a > 0 ? coords : coords.slice().reverse();
  }

  function round7(x) { return Math.round(x * 1e7) / 1e7; }

  function buildGeometry() {
    var mode = S.mode;
    if (mode === 'district') {
      var d = S.distByCode[$('district').value];
      if (!d) return null;
      var lp = d.properties.label_point;
      return { type: 'Point', coordinates: [lp[0], lp[1]] };
    }
    var v = S.drafts[mode];
    if (!v || v.length < minVertices(mode)) return null;
    var coords = v.map(function (ll) { return [round7(ll.lng), round7(ll.lat)]; });
    if (mode === 'point') return { type: 'Point', coordinates: coords[0] };
    if (mode === 'line') return { type: 'LineString', coordinates: coords };
    var ring = coords.concat([coords[0]]);
    return { type: 'Polygon', coordinates: [ringCCW(ring)] };
  }

  /* ---------- character count ---------- */

  function charLength(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0xDC00 || c > 0xDFFF) n++; // count code points, as the server does
    }
    return n;
  }

  function countText() {
    var n = charLength($('description').value);
    var left = S.descMax - n;
    return left >= 0 ? t('charsLeft', { n: left }) : t('charsOver', { n: -left });
  }

  function updateCount(announceIt) {
    var c = $('description-count');
    if (!c) return;
    var txt = countText();
    c.textContent = txt;
    c.classList.toggle('is-over', charLength($('description').value) > S.descMax);
    if (announceIt) {
      // Politely, and only after a pause in typing, so that a screen reader
      // is not interrupted on every key (the GOV.UK character-count pattern).
      window.clearTimeout(S.countTimer);
      S.countTimer = window.setTimeout(function () {
        $('description-count-live').textContent = countText();
      }, 1000);
    }
  }

  /* ---------- open items nearby: "has this already been reported?" ---------- */

  // The place a report is about, as [lon, lat]: the point, the mean of the
  // vertices of a line or an area, or the district's label point (where a
  // report without the map is placed); null until the place is complete.
  function reportPlace() {
    if (S.mode === 'district') {
      var g = buildGeometry();
      return g ? g.coordinates : null;
    }
    if (!draftComplete()) return null;
    var d = currentDraft(), lon = 0, lat = 0;
    d.forEach(function (ll) { lon += ll.lng; lat += ll.lat; });
    return [round7(lon / d.length), round7(lat / d.length)];
  }

  /* Once both a place and a category are chosen, ask the server for open
   * items of that category close by. Only a suggestion: it never blocks
   * sending, and it is announced politely without moving focus. */
  function checkNearby() {
    var cat = $('category').value;
    var at = cat ? reportPlace() : null;
    if (!at) { S.nearbyKey = null; S.nearby = []; renderNearby(false); return; }
    var key = cat + '@' + at[0] + ',' + at[1];
    if (key === S.nearbyKey) return;
    S.nearbyKey = key;
    var q = '?lon=' + at[0] + '&lat=' + at[1] + '&category=' + encodeURIComponent(cat);
    VK.getJSON('/api/v1/feedback/nearby' + q).then(function (fc) {
      if (S.nearbyKey !== key) return; // the place or category changed meanwhile
      S.nearby = (fc && fc.features) || [];
      renderNearby(true);
    }, function () {
      if (S.nearbyKey !== key) return;
      S.nearby = [];
      renderNearby(false);
    });
  }

  // Metres in words; closer than 10 m is "less than 10 m", as neither the
  // resident's nor the reporter's marking is more exact than that.
  function distanceText(m) {
    m = Math.round(m || 0);
    return m < 10 ? t('distanceNear') : t('distance', { n: VK.formatNumber(m) });
  }

  function renderNearby(announceIt) {
    var box = $('nearby');
    if (!box) return;
    var ul = $('nearby-list');
    ul.textContent = '';
    var n = S.nearby.length;
    box.hidden = n === 0;
    if (!n) { $('nearby-live').textContent = ''; return; }
    S.nearby.forEach(function (f) {
      var p = f.properties || {};
      var li = el('li', 'nearby-item');
      var title = el('p', 'nearby-title', categoryName(p.category) + ' · ' + t('feedbackNumber', { id: f.id }));
      title.id = 'nearby-title-' + f.id;
      li.appendChild(title);
      li.appendChild(el('p', 'nearby-desc', p.description));
      var st = el('p', 'fb-status nearby-status');
      st.appendChild(statusSymbol(p.status || 'received'));
      st.appendChild(el('span', null, statusText(p) + ' · ' + distanceText(p.distance_m)));
      li.appendChild(st);
      li.appendChild(meTooControl(f.id, p.me_too || 0, 'nearby'));
      ul.appendChild(li);
    });
    if (announceIt) {
      var live = $('nearby-live');
      live.textContent = '';
      window.setTimeout(function () { live.textContent = t('nearbyFound', { n: n }); }, 50);
    }
  }

  /* ---------- errors ---------- */

  var FIELDS = {
    location: { input: null, error: 'location-error' },
    district: { input: 'district', error: 'district-error' },
    place: { input: 'place', error: 'place-error' },
    category: { input: 'category', error: 'category-error' },
    description: { input: 'description', error: 'description-error' },
    email: { input: 'email', error: 'email-error' },
    photos: { input: 'photo-gallery', error: 'photos-error' }
  };
  var shownErrors = [];

  function fieldForServer(field) {
    field = field || '';
    if (field === 'properties.description') return 'description';
    if (field === 'properties.category') return 'category';
    if (field === 'properties.contact.email' || field === 'properties.contact') return 'email';
    if (field === 'properties.place') return 'place';
    if (field.indexOf('properties.photos') === 0) return 'photos';
    if (field.indexOf('properties.attributes.') === 0 && FIELDS['attr:' + field.slice(22)]) {
      return 'attr:' + field.slice(22);
    }
    if (field === 'geometry' || field.indexOf('geometry.') === 0 || field.indexOf('geometry[') === 0) {
      return S.mode === 'district' ? 'district' : 'location';
    }
    return null;
  }

  function fillErrorNode(node, e) {
    node.textContent = '';
    node.appendChild(el('span', 'visually-hidden', t('errorPrefix') + ' '));
    if (e.key) { // our own (client-side) message
      node.appendChild(document.createTextNode(t(e.key, e.vars)));
      return;
    }
    // A server error: our sentence for its code, then the server's own words
    // (English, so marked lang="en" for screen readers; in English only those).
    var codeKey = 'code_' + e.code;
    var local = t(codeKey) !== codeKey ? t(codeKey) : null;
    var en = VK.lang() === 'en';
    if (!en || !e.message) {
      node.appendChild(document.createTextNode(local || t('errServer')));
    }
    if (e.message) {
      if (!en) {
        node.appendChild(document.createTextNode(' ' + t('serverSays') + ' '));
      }
      var m = el('span', 'server-message', e.message);
      m.lang = 'en';
      node.appendChild(m);
    }
  }

  function locationTarget() {
    if (S.mode === 'district') return $('district');
    var checked = document.querySelector('input[name="mode"]:checked');
    return checked || $('mode-point');
  }

  function clearErrors() {
    shownErrors = [];
    clearErrorMarks();
  }

  function clearErrorMarks() {
    Object.keys(FIELDS).forEach(function (k) {
      var f = FIELDS[k];
      var node = $(f.error);
      node.textContent = '';
      node.hidden = true;
      if (f.input) $(f.input).removeAttribute('aria-invalid');
    });
    document.querySelectorAll('input[name="mode"]').forEach(function (r) { r.removeAttribute('aria-invalid'); });
    $('location-fieldset').classList.remove('has-error');
    document.querySelectorAll('.field.has-error').forEach(function (n) { n.classList.remove('has-error'); });
    $('error-summary').hidden = true;
    $('error-summary-list').textContent = '';
  }

  function renderErrors() {
    var list = $('error-summary-list');
    list.textContent = '';
    Object.keys(FIELDS).forEach(function (k) {
      var node = $(FIELDS[k].error);
      node.textContent = '';
      node.hidden = true;
    });
    shownErrors.forEach(function (e) {
      var li = el('li');
      var target = null;
      if (e.field) {
        var f = FIELDS[e.field];
        var node = $(f.error);
        if (!node.hidden) node.appendChild(document.createElement('br'));
        var part = el('span');
        fillErrorNode(part, e);
        node.appendChild(part);
        node.hidden = false;
        if (e.field === 'location') {
          document.querySelectorAll('input[name="mode"]').forEach(function (r) { r.setAttribute('aria-invalid', 'true'); });
          $('location-fieldset').classList.add('has-error');
          target = locationTarget();
        } else {
          var input = $(f.input);
          input.setAttribute('aria-invalid', 'true');
          var fld = input.closest('.field');
          if (fld) fld.classList.add('has-error');
          target = input;
        }
      }
      var content = el('span');
      fillErrorNode(content, e);
      // The summary needs no hidden "Error:" prefix: its heading says it.
      if (content.firstChild && content.firstChild.className === 'visually-hidden') content.removeChild(content.firstChild);
      if (target) {
        var a = el('a');
        a.href = '#' + target.id;
        a.appendChild(content);
        a.addEventListener('click', function (ev) {
          ev.preventDefault();
          target.scrollIntoView({ block: 'center' });
          target.focus();
        });
        li.appendChild(a);
      } else {
        li.appendChild(content);
      }
      list.appendChild(li);
    });
    $('error-summary').hidden = shownErrors.length === 0;
  }

  function showErrors(errors) {
    clearErrors();
    shownErrors = errors;
    renderErrors();
    var s = $('error-summary');
    s.scrollIntoView({ block: 'start' });
    s.focus();
  }

  // The error's field key (FIELDS) of a form control.
  function fieldOf(node) {
    if (!node) return null;
    if (node.name === 'mode') return 'location';
    var keys = Object.keys(FIELDS);
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i];
      if (FIELDS[k].input && FIELDS[k].input === node.id) return k;
      if (k.indexOf('attr:') === 0 && node.name === ATTR_PREFIX + k.slice(5)) return k;
    }
    return null;
  }

  /* After any change in the form: the errors put right go away at once
   * (not at the next send). A client-side error stays while the check still
   * fails; a server's error on a field goes when that field is changed. No
   * focus moves, so typing goes on undisturbed. */
  function recheckErrors(ev) {
    if (!shownErrors.length) return;
    var now = validateClient();
    var changed = ev && ev.target ? fieldOf(ev.target) : null;
    var keep = shownErrors.filter(function (e) {
      if (!e.field) return true;
      if (e.key) return now.some(function (n) { return n.field === e.field && n.key === e.key; });
      return e.field !== changed;
    });
    if (keep.length === shownErrors.length) return;
    shownErrors = keep;
    clearErrorMarks();
    renderErrors();
  }

  function relocalizeErrors() {
    if (shownErrors.length && $('error-summary')) renderErrors();
  }

  function validateClient() {
    var errs = [];
    if (!S.mode) {
      errs.push({ field: 'location', key: 'errModeRequired' });
    } else if (S.mode === 'district') {
      if (!$('district').value) errs.push({ field: 'district', key: 'errDistrictRequired' });
      if (!$('place').value.trim()) errs.push({ field: 'place', key: 'errPlaceRequired' });
    } else if (!draftComplete()) {
      errs.push({ field: 'location', key: 'needMore_' + S.mode });
    }
    if (!$('category').value) errs.push({ field: 'category', key: 'errCategoryRequired' });
    collectAttributes(errs);
    var desc = $('description').value;
    if (!desc.trim()) errs.push({ field: 'description', key: 'errDescriptionRequired' });
    else if (charLength(desc) > S.descMax) errs.push({ field: 'description', key: 'errDescriptionTooLong', vars: { max: S.descMax } });
    return errs;
  }

  /* ---------- submit ---------- */

  function setBusy(busy) {
    var b = $('submit');
    b.setAttribute('aria-disabled', busy ? 'true' : 'false');
    b.textContent = busy ? t('sending') : t('submit');
    $('report-form').setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  function onSubmit(ev) {
    ev.preventDefault();
    if ($('submit').getAttribute('aria-disabled') === 'true') return;
    var errs = validateClient();
    if (errs.length) { showErrors(errs); return; }
    clearErrors();
    // A photo still on its way would be left out: wait for it.
    if (S.photos && S.photos.busy()) { S.photos.showError(t('photoWait')); $('photo-gallery').focus(); return; }
    var props = {
      category: $('category').value,
      description: $('description').value
    };
    var place = $('place').value.trim();
    if (place) props.place = place;
    var email = $('email').value.trim();
    // The language of the page is the language of the e-mail about the item.
    if (email) props.contact = { email: email, language: VK.lang() };
    var answers = collectAttributes([]);
    if (Object.keys(answers).length) props.attributes = answers;
    var photoIds = S.photos ? S.photos.ids() : [];
    if (photoIds.length) props.photos = photoIds;
    if (S.mode === 'district') props.location_precision = 'district';
    else if (S.mode === 'point' && S.pointPrecision === 'address') props.location_precision = 'address';
    var body = { type: 'Feature', geometry: buildGeometry(), properties: props };
    setBusy(true);
    VK.api('POST', '/api/v1/feedback', body).then(function (j) {
      setBusy(false);
      if (j && j.type === 'Feature') onCreated(j);
      else showErrors([{ field: null, key: 'errServer' }]);
    }, function (err) {
      setBusy(false);
      if (!(err instanceof VK.ApiError)) showErrors([{ field: null, key: 'errNetwork' }]);
      // ApiError puts "HTTP <status>" in message when the server sent none.
      else if (err.code) showErrors([{ field: fieldForServer(err.field), code: err.code, message: err.message === 'HTTP ' + err.status ? '' : err.message }]);
      else showErrors([{ field: null, key: 'errServer' }]);
    });
  }

  function onCreated(f) {
    // The follow-up link is the reporter's alone: shown once, never kept
    // with the public feature.
    var followup = f.followup;
    delete f.followup;
    S.features.push(f);
    remember(f);
    S.tileCache = {}; // the counts change with it
    S.tileOrder = [];
    addFeatureLayer(f);
    S.lastCreatedId = f.id;
    resetForm();
    closeForm(false);
    renderList();
    showFollowup(followup);
    var st = $('report-status');
    st.textContent = '';
    var p = el('p', 'notice notice-success', t('success', { id: f.id }) +
      (followup ? ' ' + t('followupBelow') : ''));
    st.appendChild(p);
    var show = $('show-new');
    show.hidden = false;
    show.focus();
  }

  /* ---------- the private follow-up link ---------- */

  function showFollowup(followup) {
    var box = $('followup-box');
    $('followup-copied').textContent = '';
    if (!followup || !followup.url) { box.hidden = true; return; }
    var u = new URL(followup.url, location.href);
    // Only a web address becomes a link (never javascript:).
    if (u.protocol !== 'https:' && u.protocol !== 'http:') { box.hidden = true; return; }
    // The page opens in the language the report was written in, wherever
    // the link is later opened.
    u.searchParams.set('lang', VK.lang());
    var url = u.href;
    $('followup-url').value = url;
    $('followup-open').href = url;
    box.hidden = false;
  }

  function copyFollowup() {
    var input = $('followup-url');
    var done = function () { $('followup-copied').textContent = t('followupCopied'); };
    var fallback = function () {
      // Older browsers and plain-http pages have no async clipboard.
      input.focus();
      input.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      $('followup-copied').textContent = ok ? t('followupCopied') : t('followupCopyFailed');
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, fallback);
    } else {
      fallback();
    }
  }

  function resetForm() {
    $('report-form').reset();
    if (S.photos) S.photos.reset();
    S.drafts = { point: [], line: [], area: [] };
    S.pointPrecision = 'exact';
    if ($('pin-near')) $('pin-near').textContent = '';
    if (S.drawing) stopDrawing();
    S.mode = null;
    renderDraft();
    clearErrors();
    updatePlaceRequired();
    updateDrawUI();
    updateCount(false);
    $('description-count-live').textContent = '';
    updateCategoryHint();
    checkNearby();
  }

  function openForm(ev, quiet) {
    var form = $('report-form');
    form.hidden = false;
    $('open-form').setAttribute('aria-expanded', 'true');
    $('open-form').hidden = true;
    $('map-new-report').hidden = true;
    $('show-new').hidden = true;
    $('report-status').textContent = '';
    if (quiet) return;
    var h = $('form-heading');
    // Scrolled only when out of sight, so that a map beside it stays put.
    var r = h.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) h.scrollIntoView({ block: 'start' });
    h.focus({ preventScroll: true });
  }

  function closeForm(focusButton) {
    if (S.drawing) stopDrawing();
    $('report-form').hidden = true;
    var ob = $('open-form');
    ob.hidden = false;
    $('map-new-report').hidden = false;
    ob.setAttribute('aria-expanded', 'false');
    if (focusButton) ob.focus();
  }

  /* "New report" over the map: the form opens with a point to be marked,
   * and the map stays in view, ready for a tap (or the keyboard). */
  function startFromMap() {
    openForm(null, true);
    $('mode-point').checked = true;
    setMode('point');
    setDrawStatus(tt('drawHelp_point'));
    var wrap = document.querySelector('.map-wrap');
    wrap.scrollIntoView({ block: 'start' });
    if (S.map) S.map.getContainer().focus({ preventScroll: true });
  }

  /* ---------- wiring ---------- */

  function guard(fn) {
    return function (ev) {
      if (ev.currentTarget.getAttribute('aria-disabled') === 'true') {
        if (ev.currentTarget.id === 'draw-finish') setDrawStatus(t('needMore_' + S.mode));
        if (ev.currentTarget.id === 'draw-undo') setDrawStatus(t('nothingToUndo'));
        if (ev.currentTarget.id === 'draw-add') setDrawStatus(tt('pointAlready'));
        return;
      }
      fn(ev);
    };
  }

  function wire() {
    // In-page links: move focus to the target so that keyboard users land there.
    document.querySelectorAll('a[href^="#"]').forEach(function (a) {
      a.addEventListener('click', function () {
        var target = document.getElementById(a.getAttribute('href').slice(1));
        if (target) window.setTimeout(function () { target.focus({ preventScroll: true }); }, 0);
      });
    });
    document.querySelectorAll('input[name="mode"]').forEach(function (r) {
      r.addEventListener('change', function () { if (r.checked) setMode(r.value); });
    });
    $('go-to-map').addEventListener('click', function () { startDrawing(true); });
    $('draw-add').addEventListener('click', guard(function () { if (S.map) addVertex(S.map.getCenter(), 'button'); }));
    $('draw-locate').addEventListener('click', useMyLocation);
    $('near-me').addEventListener('click', toggleNearMe);
    $('filter-category').addEventListener('change', applyFilters);
    $('filter-status').addEventListener('change', applyFilters);
    $('map-new-report').addEventListener('click', startFromMap);
    // An error goes away as soon as its field is put right.
    $('report-form').addEventListener('input', recheckErrors);
    $('report-form').addEventListener('change', recheckErrors);
    $('draw-undo').addEventListener('click', guard(undoVertex));
    $('draw-finish').addEventListener('click', guard(finishDrawing));
    $('draw-cancel').addEventListener('click', cancelDrawing);
    $('open-form').addEventListener('click', openForm);
    $('followup-copy').addEventListener('click', copyFollowup);
    $('cancel-form').addEventListener('click', function () { resetForm(); closeForm(true); });
    $('show-new').addEventListener('click', function () { if (S.lastCreatedId !== null) showOnMap(S.lastCreatedId); });
    $('list-more').addEventListener('click', function () {
      var before = S.listShown;
      S.listShown += LIST_PAGE;
      renderList();
      // Move focus to the first newly shown item, so that keyboard and
      // screen-reader users continue where they were.
      var items = $('feedback-list').querySelectorAll('.fb-item');
      var first = items[before];
      if (first) {
        var b = first.querySelector('.fb-show');
        (b || first).focus();
      }
    });
    $('category').addEventListener('change', function () { updateCategoryHint(); checkNearby(); });
    $('district').addEventListener('change', checkNearby);
    $('description').addEventListener('input', function () { updateCount(true); });
    $('report-form').addEventListener('submit', onSubmit);
    // Escape in the map or its toolbar leaves drawing mode (the points stay).
    document.addEventListener('keydown', function (e) {
      if (e.key !== 'Escape' || !S.drawing) return;
      var inMap = S.map && S.map.getContainer().contains(document.activeElement);
      var inBar = $('draw-toolbar').contains(document.activeElement);
      if ((inMap || inBar) && !(S.map._popup && S.map.hasLayer(S.map._popup))) {
        stopDrawing();
        $('go-to-map').focus();
      }
    });
  }

  // Leaflet (its styles before the page's, which adjust them) and the
  // map's scripts, in order; resolves when all have come.
  function loadMapScripts() {
    function load(el, parent, before) {
      return new Promise(function (resolve, reject) {
        el.onload = resolve;
        el.onerror = reject;
        parent.insertBefore(el, before);
      });
    }
    var css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = '/node_modules/leaflet/dist/leaflet.css';
    var loads = [load(css, document.head, document.querySelector('link[rel="stylesheet"]'))];
    ['/node_modules/leaflet/dist/leaflet.js', '/lib/map.js', '/lib/mvt.js'].forEach(function (src) {
      var el = document.createElement('script');
      el.src = src;
      el.async = false; // run in this order: map.js uses Leaflet
      loads.push(load(el, document.head, null));
    });
    return Promise.all(loads);
  }

  function start() {
    wire();
    if (VK.placeSearch && $('place-search-mount')) {
      S.placeSearch = VK.placeSearch.mount($('place-search-mount'), { id: 'place-search', onChoose: placeAtAddress });
    }
    if (VK.photoPicker && $('photo-camera')) {
      S.photos = VK.photoPicker({ camera: $('photo-camera'), gallery: $('photo-gallery'), list: $('photo-list'),
        status: $('photos-status'), error: $('photos-error'), full: $('photos-full') });
    }
    if (VK.placeSearch && $('map-search')) {
      S.mapSearch = VK.placeSearch.mount($('map-search'), { id: 'map-search', onChoose: showSearchedPlace });
    }
    // What the form and the map need comes first; the items (the biggest
    // answer) are asked for and drawn after, so that the page is usable
    // (body[data-usable]) before they come — on a slow line seconds earlier.
    var data = Promise.all([
      VK.getJSON('/api/v1/config').catch(function () { return null; }),
      VK.getJSON('/api/v1/categories').catch(function () { return null; }),
      VK.getJSON('/api/v1/districts').catch(function () { return null; })
    ]);
    // Strings in the chosen language, or in Finnish when those fail to load.
    var strings = VK.startPage({ onLanguage: applyStrings, onError: showLoadError }).catch(function () {
      return VK.setLang('fi', false).catch(function () { return null; });
    });
    Promise.all([data, strings]).then(function (res) {
      var d = res[0];
      var cfg = d[0], cats = d[1], dists = d[2];
      S.config = cfg;
      if (cfg && cfg.limits && cfg.limits.description_max) S.descMax = cfg.limits.description_max;
      S.categories = (cats && cats.categories) || [];
      S.catById = {};
      S.categories.forEach(function (c) { S.catById[c.id] = c; });
      S.districts = (dists && dists.features) || [];
      S.distByCode = {};
      S.districts.forEach(function (f) { if (f.properties) S.distByCode[f.properties.code] = f; });
      if (!cfg || !cats || !dists) showLoadError();
      applyStrings();
      document.body.setAttribute('data-usable', 'true');
      // Leaflet and the items asked for only now: on a slow line they would
      // share the bandwidth with what the form needs.
      return loadMapScripts().then(function () {
        initMap(cfg);
        drawDistricts();
        drawDistrictLabels();
        renderDraft(); // a place chosen by address before the map came
        updateDrawUI();
      }, showLoadError);
    }).then(function () {
      // Only the view's data, never the whole city's (issue 15); each move
      // asks for its own (scheduleView).
      if (!S.map) {
        document.body.setAttribute('data-ready', 'true');
        renderList();
        return null;
      }
      return loadView();
    }).then(function () {
      // ?item=N (the follow-up page's link to the item a report was merged
      // into): that item, opened on the map.
      var want = new URLSearchParams(location.search).get('item');
      if (want && /^\d{1,15}$/.test(want) && S.map) showOnMap(Number(want));
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
