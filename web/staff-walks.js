/*
 * staff-walks.js — staff-walks.html: the accessibility walks (docs/walks.md).
 * Without a query, the list of walks; ?new=1 the form of a new walk;
 * ?id=N one walk: its form (title, date, organiser, groups, participants,
 * notes, route and/or area), its state with close/reopen, a new walk code
 * (shown once, as the API shows it), links to the printable report, the
 * field page and the review list, and its findings.
 *
 * Route and area: drawn on the map (a click adds a point; by keyboard the
 * map pans with the arrow keys and a button adds the point under the
 * crosshair), an area chosen from the districts and accessibility areas,
 * or typed as "lat, lon" lines or GeoJSON — the text fields are the truth,
 * the map shows them.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, W = VK.walkStaff, t = VK.t, $ = VK.$, el = VK.el;
  var q = new URLSearchParams(location.search);
  var walkId = Number(q.get('id')) || 0;
  var isNew = !walkId && q.get('new') === '1';

  var st = { walk: null, walks: [], findings: [], areas: [], config: null, map: null, zoom: null,
    layers: null, mode: null, draft: [], draftLayer: null };

  var FIELDS = { title: 'w-title', date: 'w-date', organiser: 'w-organiser', groups: 'w-group-0',
    participants: 'w-participants', notes: 'w-notes', route: 'w-route', area: 'w-area' };
  var ROUTE_STYLE = { color: '#0a4f7e', weight: 5, opacity: 0.9 };
  var AREA_STYLE = { color: '#3d4650', weight: 3, dashArray: '6 4', fillColor: '#0a4f7e', fillOpacity: 0.1 };
  var SPECIAL_STYLE = { color: '#6a3d9a', weight: 2, dashArray: '2 4', fill: false, interactive: false };
  var DRAFT_STYLE = { color: '#b00020', weight: 3, dashArray: '4 4' };

  function round7(x) { return Math.round(x * 1e7) / 1e7; }

  /* ---------- geometry as text ---------- */

  function GeomError(key) { this.key = key; }

  // "lat, lon" lines (as maps show them) or GeoJSON → geometry, null when
  // empty; kind 'route' (LineString/MultiLineString) or 'area' (Polygon/
  // MultiPolygon). A decimal comma is taken when a line has four numbers.
  function parseGeom(text, kind) {
    text = String(text || '').trim();
    if (!text) return null;
    var g;
    if (text.charAt(0) === '{') {
      try { g = JSON.parse(text); } catch (e) { throw new GeomError('wsGeomJson'); }
      if (g && g.type === 'FeatureCollection') g = g.features && g.features[0];
      if (g && g.type === 'Feature') g = g.geometry;
      if (!g || !Array.isArray(g.coordinates)) throw new GeomError('wsGeomJson');
    } else {
      var pts = text.split(/\n|;/).map(function (l) { return l.trim(); }).filter(Boolean).map(function (l) {
        var n = l.match(/-?\d+(?:\.\d+)?/g) || [];
        if (n.length === 4 && !/\./.test(l)) n = [n[0] + '.' + n[1], n[2] + '.' + n[3]];
        if (n.length !== 2) throw new GeomError('wsGeomPairs');
        var lat = Number(n[0]), lon = Number(n[1]);
        if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) throw new GeomError('wsGeomPairs');
        return [round7(lon), round7(lat)];
      });
      if (kind === 'route') {
        if (pts.length < 2) throw new GeomError('wsGeomFewRoute');
        g = { type: 'LineString', coordinates: pts };
      } else {
        if (pts.length < 3) throw new GeomError('wsGeomFewArea');
        var a = pts[0], b = pts[pts.length - 1];
        if (a[0] !== b[0] || a[1] !== b[1]) pts.push([a[0], a[1]]);
        g = { type: 'Polygon', coordinates: [pts] };
      }
    }
    var ok = kind === 'route' ? /^(Multi)?LineString$/.test(g.type) : /^(Multi)?Polygon$/.test(g.type);
    if (!ok) throw new GeomError(kind === 'route' ? 'wsGeomRouteType' : 'wsGeomAreaType');
    return { type: g.type, coordinates: g.coordinates };
  }

  function formatGeom(g) {
    if (!g) return '';
    if (g.type === 'LineString') return g.coordinates.map(function (c) { return c[1] + ', ' + c[0]; }).join('\n');
    if (g.type === 'Polygon' && g.coordinates.length === 1) {
      return g.coordinates[0].slice(0, -1).map(function (c) { return c[1] + ', ' + c[0]; }).join('\n');
    }
    return JSON.stringify(g);
  }

  /* ---------- the list ---------- */

  function renderList() {
    var body = $('walks-body');
    body.textContent = '';
    $('no-walks').hidden = st.walks.length > 0;
    st.walks.forEach(function (w) {
      var tr = el('tr');
      var th = el('th', { scope: 'row' });
      th.appendChild(el('a', { href: '/staff-walks.html?id=' + w.id }, w.title));
      tr.appendChild(th);
      tr.appendChild(el('td', null, W.fmtDate(w.date)));
      tr.appendChild(el('td', null, w.organiser));
      tr.appendChild(el('td', null, t('walkState_' + w.state)));
      tr.appendChild(el('td', 'num', VK.formatNumber(w.findings)));
      tr.appendChild(el('td', 'num', VK.formatNumber(w.walked_m)));
      body.appendChild(tr);
    });
  }

  /* ---------- the map ---------- */

  function areaGeometry(choice) {
    var a = st.areas.filter(function (x) { return x.key === choice; })[0];
    return a ? a.geometry : null;
  }

  function showOnMap(fit) {
    if (!st.map) return;
    st.layers.clearLayers();
    var route = null, area = null;
    try { route = parseGeom($('w-route').value, 'route'); } catch (e) { route = null; }
    try { area = parseGeom($('w-area').value, 'area'); } catch (e) { area = null; }
    if (area) L.geoJSON(area, { style: AREA_STYLE, interactive: false }).addTo(st.layers);
    if (route) L.geoJSON(route, { style: ROUTE_STYLE, interactive: false }).addTo(st.layers);
    if (fit) {
      var b = st.layers.getLayers().length ? L.featureGroup(st.layers.getLayers()).getBounds() : null;
      if (b && b.isValid()) st.map.fitBounds(b, { maxZoom: 16 });
    }
  }

  function drawStatus(key, vars) { $('draw-status').textContent = t(key, vars); }

  function showDraft() {
    if (st.draftLayer) st.draftLayer.remove();
    st.draftLayer = null;
    if (!st.draft.length) return;
    var ll = st.draft.map(function (p) { return [p[1], p[0]]; });
    st.draftLayer = (ll.length === 1 ? L.circleMarker(ll[0], { radius: 6, color: DRAFT_STYLE.color })
      : L.polyline(ll, DRAFT_STYLE)).addTo(st.map);
  }

  function setMode(mode) {
    st.mode = mode;
    st.draft = [];
    showDraft();
    $('draw-route').setAttribute('aria-pressed', mode === 'route' ? 'true' : 'false');
    $('draw-area').setAttribute('aria-pressed', mode === 'area' ? 'true' : 'false');
    document.querySelector('.ws-map-wrap .crosshair').hidden = !mode;
    $('walk-map').classList.toggle('is-drawing', !!mode);
    drawStatus(mode ? (mode === 'route' ? 'wsDrawingRoute' : 'wsDrawingArea') : 'wsDrawOff');
  }

  function addPoint(lon, lat) {
    if (!st.mode) return;
    st.draft.push([round7(lon), round7(lat)]);
    showDraft();
    drawStatus('wsPointAdded', { n: st.draft.length });
  }

  function finishDrawing() {
    if (!st.mode) { drawStatus('wsDrawOff'); return; }
    var need = st.mode === 'route' ? 2 : 3;
    if (st.draft.length < need) { drawStatus(st.mode === 'route' ? 'wsGeomFewRoute' : 'wsGeomFewArea'); return; }
    var pts = st.draft.slice(), kind = st.mode, n = pts.length;
    if (kind === 'route') {
      $('w-route').value = formatGeom({ type: 'LineString', coordinates: pts });
    } else {
      pts.push(pts[0]);
      $('w-area').value = formatGeom({ type: 'Polygon', coordinates: [pts] });
      $('w-area-choice').value = '';
    }
    setMode(null);
    showOnMap(false);
    drawStatus(kind === 'route' ? 'wsRouteDrawn' : 'wsAreaDrawn', { n: n });
  }

  function makeMap() {
    if (st.map) return;
    st.map = VK.map.create('walk-map', st.config);
    st.zoom = VK.map.zoomControl(st.map);
    st.map.setView(VK.map.centre(st.config), VK.map.zoom(st.config));
    st.areas.forEach(function (a) {
      if (a.special) L.geoJSON(a.geometry, { style: SPECIAL_STYLE }).addTo(st.map);
    });
    st.layers = L.layerGroup().addTo(st.map);
    st.map.on('click', function (e) { addPoint(e.latlng.lng, e.latlng.lat); });
    // Enter on the focused map adds the point under the crosshair.
    st.map.getContainer().addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && st.mode && e.target === st.map.getContainer()) {
        e.preventDefault();
        var c = st.map.getCenter();
        addPoint(c.lng, c.lat);
      }
    });
  }

  /* ---------- the form ---------- */

  function fillChoices() {
    var boxes = $('w-groups'), keep = {};
    boxes.querySelectorAll('input:checked').forEach(function (c) { keep[c.value] = true; });
    if (!boxes.children.length && st.walk) st.walk.groups.forEach(function (g) { keep[g] = true; });
    boxes.textContent = '';
    W.ref.checklist.groups.forEach(function (g, i) {
      var d = el('div', 'checkbox');
      var input = el('input', { type: 'checkbox', id: 'w-group-' + i, value: g.key, name: 'groups' });
      if (keep[g.key]) input.checked = true;
      d.appendChild(input);
      d.appendChild(el('label', { for: 'w-group-' + i }, VK.localName(g.label)));
      boxes.appendChild(d);
    });
    var dl = $('organisers');
    dl.textContent = '';
    ['wsOrgDisability', 'wsOrgElderly'].forEach(function (k) { dl.appendChild(el('option', { value: t(k) })); });
    W.fillSelect($('w-area-choice'), [['', t('wsAreaNone')]].concat(st.areas.map(function (a) {
      return [a.key, (a.special ? t('wsSpecialArea') : t('wsDistrict')) + ': ' + VK.localName(a.name)];
    })), $('w-area-choice').value);
  }

  function fillForm() {
    var w = st.walk;
    $('form-heading').textContent = w ? t('wsFormEdit') : t('wsFormNew');
    $('w-submit').textContent = w ? t('wsSaveWalk') : t('wsCreateWalk');
    if (!w) return;
    $('w-title').value = w.title;
    $('w-date').value = w.date;
    $('w-organiser').value = w.organiser;
    $('w-participants').value = String(w.participants);
    $('w-notes').value = w.notes || '';
    $('w-route').value = formatGeom(w.route);
    $('w-area').value = formatGeom(w.area);
    $('w-groups').querySelectorAll('input').forEach(function (c) { c.checked = w.groups.indexOf(c.value) >= 0; });
  }

  function formBody() {
    var body = {
      title: $('w-title').value.trim(),
      date: $('w-date').value,
      organiser: $('w-organiser').value.trim(),
      groups: Array.prototype.map.call($('w-groups').querySelectorAll('input:checked'), function (c) { return c.value; }),
      notes: $('w-notes').value.trim()
    };
    var n = $('w-participants').value.trim();
    body.participants = n === '' ? 0 : Number(n);
    body.route = parseGeom($('w-route').value, 'route');
    body.area = parseGeom($('w-area').value, 'area');
    if (!st.walk) {
      // A new walk sends what it has; null clears only on an edit.
      if (!body.route) delete body.route;
      if (!body.area) delete body.area;
    }
    return body;
  }

  function fieldsFor(err) {
    // Geometry errors name a path inside the member ("route.coordinates").
    if (err && err.field) {
      var top = String(err.field).split(/[.[]/)[0];
      if (FIELDS[top] && top !== err.field) err.field = top;
    }
    return FIELDS;
  }

  function submitWalk(e) {
    e.preventDefault();
    var form = $('walk-form'), body;
    var bad = null;
    ['route', 'area'].forEach(function (k) {
      if (bad) return;
      try { parseGeom($(FIELDS[k]).value, k); } catch (ex) { bad = { status: 400, field: k, message: t(ex.key) }; }
    });
    if (bad) { S.showError(form, bad, FIELDS); return; }
    body = formBody();
    if (!body.route && !body.area) {
      W.showError(form, { status: 400, code: 'missing_field', field: 'route' }, FIELDS);
      return;
    }
    var req = st.walk ? VK.api('PATCH', '/api/v1/staff/walks/' + st.walk.id, body)
      : VK.api('POST', '/api/v1/staff/walks', body);
    req.then(function (j) {
      S.clearErrors(form);
      if (st.walk) {
        st.walk = j.walk || j;
        render();
        S.announce(t('wsWalkSaved'));
        return null;
      }
      // Created: the page becomes the walk's, with its code shown once.
      st.walk = j.walk;
      walkId = st.walk.id;
      history.replaceState(null, '', '/staff-walks.html?id=' + walkId);
      render();
      showCode(j.code);
      S.announce(t('wsWalkCreated', { title: st.walk.title }));
      return null;
    }, function (err) { W.showError(form, err, fieldsFor(err)); });
  }

  /* ---------- state, code, findings ---------- */

  function showCode(code) {
    $('code-panel').hidden = false;
    $('walk-code').textContent = code.slice(0, 4) + '-' + code.slice(4);
    $('walk-code').setAttribute('data-code', code);
    $('field-link').href = '/w/' + encodeURIComponent(code);
    $('code-heading').focus();
  }

  function renderState() {
    var w = st.walk;
    $('state-panel').hidden = false;
    $('walk-state').textContent = t('wsStateText', { state: t('walkState_' + w.state), n: w.findings,
      m: VK.formatNumber(w.walked_m) });
    $('close-walk').hidden = w.state !== 'open';
    $('reopen-walk').hidden = w.state !== 'closed';
    $('report-link').href = '/api/v1/walks/' + w.id + '/report.html?lang=' + VK.lang();
    $('walk-field-link').href = '/w/' + w.id;
    $('walk-review-link').href = '/staff-walk-review.html?kind=finding&walk=' + w.id;
  }

  function renderFindings() {
    var body = $('findings-body');
    $('findings-panel').hidden = false;
    body.textContent = '';
    st.findings.forEach(function (f) {
      var p = f.properties, tr = el('tr');
      var th = el('th', { scope: 'row' });
      th.appendChild(el('a', { href: '/staff-walk-finding.html?id=' + encodeURIComponent(f.id) }, W.typeName(p.type)));
      tr.appendChild(th);
      tr.appendChild(el('td', null, W.gradeName(p.grade)));
      tr.appendChild(el('td', null, W.statusName(p.status)));
      tr.appendChild(el('td', null, W.consensusText(p.consensus)));
      tr.appendChild(el('td', 'cell-description', p.description || '–'));
      body.appendChild(tr);
    });
    if (!st.findings.length) {
      var tr = el('tr');
      tr.appendChild(el('td', { colspan: '5' }, t('wsNoFindings')));
      body.appendChild(tr);
    }
  }

  function stateAction(path, message) {
    var form = $('state-form');
    VK.api('POST', '/api/v1/staff/walks/' + st.walk.id + '/' + path).then(function (j) {
      S.clearErrors(form);
      if (path === 'code') {
        showCode(j.code);
        S.announce(t('wsCodeRenewed'));
        return;
      }
      st.walk = j.walk || j;
      renderState();
      S.announce(t(message));
      $(st.walk.state === 'open' ? 'close-walk' : 'reopen-walk').focus();
    }, function (err) { W.showError(form, err, {}); });
  }

  /* ---------- loading ---------- */

  function render() {
    var w = st.walk;
    $('back').hidden = false;
    $('page-heading').textContent = w ? w.title : t('wsFormNew');
    document.title = (w ? w.title : t('wsFormNew')) + ' – Vaikuta';
    fillChoices();
    fillForm();
    if (w) {
      renderState();
      renderFindings();
    }
    showOnMap(true);
  }

  function loadAreas() {
    return Promise.all([VK.getJSON('/api/v1/districts'),
      VK.getJSON('/ogcapi/collections/accessibility-areas/items?limit=100').catch(function () { return { features: [] }; })
    ]).then(function (r) {
      st.areas = r[1].features.map(function (f) {
        var p = f.properties;
        return { key: 'special:' + p.code, special: true, geometry: f.geometry,
          name: { fi: p.name_fi, sv: p.name_sv, en: p.name_en } };
      }).concat(r[0].features.map(function (f) {
        return { key: 'district:' + f.properties.code, special: false, geometry: f.geometry, name: f.properties.name };
      }));
    });
  }

  function onSignedIn() {
    if (!walkId && !isNew) {
      $('walk-view').hidden = true;
      return VK.getJSON('/api/v1/walks').then(function (j) { st.walks = j.walks || []; renderList(); });
    }
    $('list-view').hidden = true;
    return Promise.all([W.load(), VK.getJSON('/api/v1/config'), loadAreas(),
      walkId ? VK.getJSON('/api/v1/walks/' + walkId) : null,
      walkId ? VK.getJSON('/api/v1/walks/' + walkId + '/findings') : null
    ]).then(function (r) {
      st.config = r[1];
      st.walk = r[3];
      st.findings = r[4] ? r[4].features : [];
      makeMap();
      render();
      setMode(null);
    }, function (err) {
      if (err.status === 401) { S.signedOut(); return; }
      $('walk-view').hidden = true;
      $('load-error').textContent = err.status === 404 ? t('wsErrNoWalk') : t('errLoad') + ' ' + err.message;
      $('load-error').hidden = false;
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('walk-form').addEventListener('submit', submitWalk);
    $('draw-route').addEventListener('click', function () { setMode(st.mode === 'route' ? null : 'route'); });
    $('draw-area').addEventListener('click', function () { setMode(st.mode === 'area' ? null : 'area'); });
    $('add-centre').addEventListener('click', function () {
      if (!st.mode) { drawStatus('wsDrawOff'); return; }
      var c = st.map.getCenter();
      addPoint(c.lng, c.lat);
    });
    $('draw-undo').addEventListener('click', function () {
      st.draft.pop();
      showDraft();
      drawStatus('wsPointAdded', { n: st.draft.length });
    });
    $('draw-finish').addEventListener('click', finishDrawing);
    $('w-area-choice').addEventListener('change', function () {
      var g = areaGeometry($('w-area-choice').value);
      if (g) $('w-area').value = formatGeom(g);
      showOnMap(true);
    });
    $('w-route').addEventListener('change', function () { showOnMap(true); });
    $('w-area').addEventListener('change', function () { showOnMap(true); });
    $('close-walk').addEventListener('click', function () { stateAction('close', 'wsWalkClosed'); });
    $('reopen-walk').addEventListener('click', function () { stateAction('reopen', 'wsWalkReopened'); });
    $('renew-code').addEventListener('click', function () { stateAction('code'); });
    S.start({
      bundles: ['staffwalk'],
      onSignedIn: onSignedIn,
      onLanguage: function () {
        if (st.map) st.zoom = VK.map.zoomControl(st.map, st.zoom);
        if (!S.me()) return;
        if (!walkId && !isNew) { renderList(); return; }
        if (!W.ref.checklist) return;
        $('page-heading').textContent = st.walk ? st.walk.title : t('wsFormNew');
        fillChoices();
        $('form-heading').textContent = st.walk ? t('wsFormEdit') : t('wsFormNew');
        $('w-submit').textContent = st.walk ? t('wsSaveWalk') : t('wsCreateWalk');
        if (st.walk) { renderState(); renderFindings(); }
        if (!st.mode) drawStatus('wsDrawOff');
      }
    });
  });
})();
