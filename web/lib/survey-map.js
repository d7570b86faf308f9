/*
 * lib/survey-map.js — the map questions of a survey (map-point, map-line,
 * map-area), geobudget and the map of a place-choice. Every drawn feature
 * is an item in a list, where its place can be changed and it can be
 * deleted by keyboard, with its follow-up questions under it. The map is
 * one way to give a place; without it the respondent chooses a district
 * or one of the author's places, types coordinates or describes the place
 * in words — each the location member of a drawn feature that
 * check_answer of types.c takes ("geometry", "district", "place",
 * "description"). Drawing: a click on the map adds a vertex; with the
 * keyboard, the map pans with the arrow keys under a crosshair and Enter
 * (or the button) adds a vertex there.
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, el = VK.el, localName = VK.localName;
  var F = VK.survey.fields, logic = VK.survey.logic;

  var KIND = { 'map-point': 'point', 'map-line': 'line', 'map-area': 'area', geobudget: 'point' };
  var MIN_VERTICES = { point: 1, line: 2, area: 3 };
  var FEATURE_STYLE = { color: '#0a4f7e', weight: 4, opacity: 1, fillColor: '#0a4f7e', fillOpacity: 0.2 };
  var DRAFT_STYLE = { color: '#b00020', weight: 3, dashArray: '5 4', fillOpacity: 0.1 };
  var AREA_STYLE = { color: '#3d4650', weight: 2, dashArray: '6 4', fill: false, interactive: false };
  // Drawings not finished, by question id: they outlive the page's DOM.
  var UNFINISHED = {};

  function round7(x) { return Math.round(x * 1e7) / 1e7; }

  function geometryOf(kind, lonlats) {
    if (kind === 'point') return { type: 'Point', coordinates: lonlats[0] };
    if (kind === 'line') return { type: 'LineString', coordinates: lonlats };
    var ring = lonlats.slice();
    ring.push(lonlats[0]);
    return { type: 'Polygon', coordinates: [ring] };
  }

  function verticesOf(g) {
    if (!g) return [];
    if (g.type === 'Point') return [g.coordinates];
    if (g.type === 'LineString') return g.coordinates;
    if (g.type === 'Polygon') return g.coordinates[0].slice(0, -1);
    return [];
  }

  // "61.19, 28.77" per line (latitude first, as maps show them) → [[lon, lat]…],
  // or null. A decimal comma is taken when the line has four numbers.
  function parseCoords(text, kind) {
    var lines = String(text || '').split(/\n|;/).map(function (l) { return l.trim(); }).filter(Boolean);
    var out = [];
    for (var i = 0; i < lines.length; i++) {
      var n = lines[i].match(/-?\d+(?:\.\d+)?/g) || [];
      if (n.length === 4 && !/\./.test(lines[i])) n = [n[0] + '.' + n[1], n[2] + '.' + n[3]];
      if (n.length !== 2) return null;
      var lat = Number(n[0]), lon = Number(n[1]);
      if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return null;
      out.push([round7(lon), round7(lat)]);
    }
    if (out.length < MIN_VERTICES[kind] || (kind === 'point' && out.length !== 1)) return null;
    return out;
  }

  function coordsText(g) {
    return verticesOf(g).map(function (c) { return c[1] + ', ' + c[0]; }).join('\n');
  }

  /* ---------- one Leaflet map of a question ---------- */

  // A map in `box` showing the survey area and the author's places; ctx
  // has config and def.
  function makeMap(box, ctx, label) {
    var div = el('div', { class: 'sv-map', id: box.id + '-leaflet', role: 'region', 'aria-label': label });
    var cross = el('div', { class: 'crosshair', 'aria-hidden': 'true' });
    cross.hidden = true;
    box.appendChild(div);
    box.appendChild(cross);
    var map = VK.map.create(div.id, ctx.config);
    VK.map.zoomControl(map);
    var area = ctx.def.area;
    var bounds = null;
    if (area) {
      var a = L.geoJSON(area, { style: function () { return AREA_STYLE; } }).addTo(map);
      bounds = a.getBounds();
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds);
    else map.setView(VK.map.centre(ctx.config), VK.map.zoom(ctx.config));
    map.cross = cross;
    return map;
  }

  function placeLayer(map, places, onPick) {
    var g = L.layerGroup().addTo(map);
    (places || []).forEach(function (p) {
      var layer = L.geoJSON(p.geometry, {
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, { radius: 8, color: '#1d6b34', weight: 3, fillColor: '#ffffff', fillOpacity: 1 });
        },
        style: function () { return { color: '#1d6b34', weight: 3, fillOpacity: 0.15 }; }
      });
      layer.bindTooltip(VK.textNode('span', localName(p.name)), { direction: 'top' });
      if (onPick) layer.on('click', function (e) { L.DomEvent.stopPropagation(e); onPick(p.key); });
      g.addLayer(layer);
    });
    return g;
  }

  /* ---------- the list of drawn features ---------- */

  // The shared part of map questions and geobudget. opts: {kind,
  // followups, title(f, i), canAdd(), onAdd (a new feature or null),
  // emptyText}. Returns {node, afterInsert, redraw}.
  function featureEditor(q, io, ctx, f, opts) {
    var kind = opts.kind;
    var feats = (Array.isArray(io.get()) ? io.get() : []).map(function (x) { return Object.assign({}, x); });
    var live = el('p', { class: 'visually-hidden', 'aria-live': 'polite' });
    var noMap = ctx.noMap();
    var map = null, featureLayer = null, draftLayer = null, drawing = null;
    var mapBox = el('div', { class: 'sv-map-wrap', id: io.id + '-map' });
    var bar = el('div', { class: 'draw-toolbar sv-draw', role: 'group', 'aria-label': t('svDrawGroup') });
    var drawHelp = el('p', 'hint', t('svDrawHelp_' + kind));
    var addBtn = el('button', { type: 'button', class: 'button button-small', id: io.id + '-vertex' }, t('addAtCrosshair'));
    var undoBtn = el('button', { type: 'button', class: 'button button-secondary button-small' }, t('undo'));
    var finishBtn = el('button', { type: 'button', class: 'button button-small', id: io.id + '-finish' }, t('finish'));
    var cancelBtn = el('button', { type: 'button', class: 'button button-secondary button-small' }, t('cancelDrawing'));
    var drawStatus = el('p', { class: 'draw-status', 'aria-live': 'polite' });
    bar.appendChild(drawHelp);
    var row = el('div', 'button-row');
    [addBtn, undoBtn, finishBtn, cancelBtn].forEach(function (b) { row.appendChild(b); });
    bar.appendChild(row);
    bar.appendChild(drawStatus);
    bar.hidden = true;

    var actions = el('div', 'button-row sv-feature-actions');
    var drawNew = el('button', { type: 'button', class: 'button button-small', id: io.id + '-draw' }, t('svDrawNew_' + kind));
    var addNoMap = el('button', { type: 'button', class: 'button button-secondary button-small', id: io.id + '-add' }, t('svAddNoMap'));
    if (opts.onAdd) {
      if (!noMap) actions.appendChild(drawNew);
      actions.appendChild(addNoMap);
    }
    var list = el('ol', { class: 'sv-features', id: io.id + '-list', tabindex: '-1', 'aria-label': t('svFeatureList', { q: localName(q.text) }) });
    var emptyNote = el('p', 'hint sv-features-empty', opts.emptyText || t('svNoFeatures'));

    // The address search over the map (lib/place-search.js): a chosen
    // place pans the map there; for points, "place it here" puts one —
    // also with the map hidden, where it gives the point's coordinates.
    var chosen = null;
    var searchBox = el('div', 'sv-place-search');
    var hereBtn = el('button', { type: 'button', class: 'button button-secondary button-small', id: io.id + '-here' });
    hereBtn.hidden = true;
    if (VK.placeSearch && (!noMap || kind === 'point')) {
      VK.placeSearch.mount(searchBox, { id: io.id + '-search', onChoose: function (p) {
        chosen = p;
        if (map) map.setView([p.lat, p.lon], Math.max(map.getZoom(), 17), { animate: false });
        if (kind === 'point') {
          hereBtn.textContent = t('placeSearchHere', { label: p.label });
          hereBtn.hidden = false;
        }
      } });
      searchBox.appendChild(hereBtn);
    }

    var node = el('div', 'sv-map-question');
    if (!noMap) {
      node.appendChild(searchBox);
      node.appendChild(el('p', { class: 'hint', id: io.id + '-maphelp' }, t('svMapKeys')));
      node.appendChild(mapBox);
      node.appendChild(bar);
    } else {
      node.appendChild(el('p', 'hint', t('svMapHidden')));
      if (kind === 'point') node.appendChild(searchBox);
    }
    node.appendChild(actions);
    node.appendChild(emptyNote);
    node.appendChild(list);
    node.appendChild(live);

    function save() {
      io.set(feats.length ? feats.map(function (x) { return Object.assign({}, x); }) : undefined);
    }
    function announce(text) {
      live.textContent = '';
      window.setTimeout(function () { live.textContent = text; }, 50);
    }
    function updateAdd() {
      var ok = opts.canAdd ? opts.canAdd(feats) : true;
      [drawNew, addNoMap].forEach(function (b) { b.setAttribute('aria-disabled', ok ? 'false' : 'true'); });
    }

    /* drawing */
    // resumed: a drawing the page was drawn again in the middle of (another
    // language, say), carried on where it was, the focus left where it is.
    function startDrawing(index, resumed) {
      if (!map) return;
      drawing = UNFINISHED[io.id] = resumed || { index: index, v: [] };
      bar.hidden = false;
      map.cross.hidden = false;
      mapBox.classList.add('is-drawing');
      drawStatus.textContent = '';
      renderDraft();
      if (resumed) return;
      map.getContainer().focus();
      mapBox.scrollIntoView({ block: 'nearest' });
    }
    function stopDrawing() {
      drawing = null;
      delete UNFINISHED[io.id];
      bar.hidden = true;
      if (map) {
        map.cross.hidden = true;
        draftLayer.clearLayers();
      }
      mapBox.classList.remove('is-drawing');
    }
    function addVertex(ll) {
      if (!drawing) return;
      drawing.v.push([round7(ll.lng), round7(ll.lat)]);
      renderDraft();
      if (kind === 'point') { finish(); return; }
      drawStatus.textContent = t('vertexAdded', { n: drawing.v.length });
    }
    function renderDraft() {
      draftLayer.clearLayers();
      if (!drawing) return;
      var lls = drawing.v.map(function (c) { return [c[1], c[0]]; });
      lls.forEach(function (ll) { draftLayer.addLayer(L.circleMarker(ll, { radius: 5, color: '#b00020', weight: 2, fillOpacity: 1, fillColor: '#ffffff' })); });
      if (lls.length > 1) draftLayer.addLayer(kind === 'area' ? L.polygon(lls, DRAFT_STYLE) : L.polyline(lls, DRAFT_STYLE));
    }
    function finish() {
      if (!drawing) return;
      if (drawing.v.length < MIN_VERTICES[kind]) {
        drawStatus.textContent = t('needMore_' + kind);
        return;
      }
      var g = geometryOf(kind, drawing.v);
      var i = drawing.index;
      if (i < 0) {
        var nf = opts.onAdd();
        if (!nf) { stopDrawing(); return; }
        feats.push(nf);
        i = feats.length - 1;
      }
      setWay(feats[i], 'geometry', g);
      feats[i]._way = 'geometry';
      stopDrawing();
      save();
      renderList(i);
      announce(t('svFeatureDrawn', { name: opts.title(feats[i], i) }));
    }

    function setWay(x, way, value) {
      ['geometry', 'district', 'place', 'description'].forEach(function (w) { delete x[w]; });
      if (value !== undefined && value !== '' && value !== null) x[way] = value;
    }

    function drawFeatures() {
      if (!featureLayer) return;
      featureLayer.clearLayers();
      feats.forEach(function (x, i) {
        if (!x.geometry) return;
        var layer = L.geoJSON(x.geometry, {
          pointToLayer: function (g, ll) { return L.circleMarker(ll, { radius: 9, color: '#0a4f7e', weight: 3, fillColor: '#e7f0f7', fillOpacity: 1 }); },
          style: function () { return FEATURE_STYLE; }
        });
        layer.bindTooltip(VK.textNode('span', String(i + 1)), { permanent: true, direction: 'right', className: 'sv-feature-label' });
        layer.on('click', function (e) {
          L.DomEvent.stopPropagation(e);
          var h = VK.$(io.id + '-f' + i + '-h');
          if (h && !drawing) h.focus();
        });
        featureLayer.addLayer(layer);
      });
    }

    /* the list */
    function wayEditor(x, i, li) {
      var fid = io.id + '-f' + i;
      var fs = el('fieldset', 'sv-way');
      fs.appendChild(el('legend', null, t('svWayLegend')));
      var ways = [];
      if (!noMap) ways.push('geometry');
      ways.push('coords');
      if (ctx.districts.length) ways.push('district');
      if ((ctx.def.places || []).length) ways.push('place');
      ways.push('description');
      var way = x._way || (x.geometry ? 'geometry' : x.district ? 'district' : x.place ? 'place' : x.description !== undefined ? 'description' : ways[noMap ? 0 : 1]);
      if (ways.indexOf(way) < 0) way = 'coords';
      var radios = el('div', 'radios sv-way-options');
      ways.forEach(function (w) {
        var o = F.optionRow('radio', fid + '-way', fid + '-way-' + w, w, t('svWay_' + w), w === way);
        radios.appendChild(o.row);
      });
      fs.appendChild(radios);
      var detail = el('div', 'sv-way-detail');
      fs.appendChild(detail);
      var errId = fid + '-loc-error';

      function showDetail(w) {
        detail.textContent = '';
        if (w === 'geometry') {
          detail.appendChild(el('p', 'location-summary', x.geometry ? t('svDrawnPoints', { n: verticesOf(x.geometry).length }) : t('svNotDrawn')));
          var again = el('button', { type: 'button', class: 'button button-secondary button-small', id: fid + '-redraw' }, t(x.geometry ? 'svDrawAgain' : 'svDrawOnMap'));
          again.addEventListener('click', function () { startDrawing(i); });
          detail.appendChild(again);
        } else if (w === 'coords') {
          var cid = fid + '-coords';
          var l = el('label', null, t('svCoords_' + kind));
          l.htmlFor = cid;
          var input = kind === 'point' ? el('input', { type: 'text', id: cid, inputmode: 'decimal', autocomplete: 'off' }) : el('textarea', { id: cid, rows: '4' });
          input.setAttribute('aria-describedby', cid + '-hint ' + errId);
          input.value = x.geometry ? coordsText(x.geometry) : '';
          detail.appendChild(l);
          detail.appendChild(el('p', { class: 'hint', id: cid + '-hint' }, t('svCoordsHint')));
          detail.appendChild(input);
          // Taken as typed; said to be unreadable only when the field is left.
          var typed = function (leaving) {
            var c = parseCoords(input.value, kind);
            setWay(x, 'geometry', c ? geometryOf(kind, c) : undefined);
            if (leaving || c) locError(c || !input.value.trim() ? '' : t('svCoordsInvalid'));
            save();
            drawFeatures();
          };
          input.addEventListener('input', function () { typed(false); });
          input.addEventListener('change', function () { typed(true); });
        } else if (w === 'district' || w === 'place') {
          var sid = fid + '-' + w;
          var sl = el('label', null, t('svWay_' + w));
          sl.htmlFor = sid;
          var sel = el('select', { id: sid });
          sel.setAttribute('aria-describedby', errId);
          var none = el('option', null, t('chooseOption'));
          none.value = '';
          sel.appendChild(none);
          var opts2 = w === 'district'
            ? ctx.districts.map(function (d) { return [d.properties.code, localName(d.properties.name)]; })
            : ctx.def.places.map(function (p) { return [p.key, localName(p.name)]; });
          opts2.sort(function (a, b) { return a[1].localeCompare(b[1], VK.LOCALES[VK.lang()]); });
          opts2.forEach(function (o) {
            var op = el('option', null, o[1]);
            op.value = o[0];
            sel.appendChild(op);
          });
          sel.value = x[w] || '';
          detail.appendChild(sl);
          detail.appendChild(sel);
          sel.addEventListener('change', function () {
            setWay(x, w, sel.value || undefined);
            locError('');
            save();
            drawFeatures();
          });
        } else {
          var did = fid + '-words';
          var dl = el('label', null, t('svWay_description'));
          dl.htmlFor = did;
          var ta = el('textarea', { id: did, rows: '3', maxlength: '500' });
          ta.setAttribute('aria-describedby', errId);
          ta.value = x.description || '';
          detail.appendChild(dl);
          detail.appendChild(ta);
          ta.addEventListener('input', function () {
            setWay(x, 'description', ta.value.trim() ? ta.value : undefined);
            save();
          });
        }
      }
      var err = el('p', { class: 'field-error', id: errId });
      err.hidden = true;
      function locError(text) { err.textContent = text; err.hidden = !text; }
      radios.addEventListener('change', function (e) {
        var w = e.target.value;
        x._way = w;
        // Another way: the place given before no longer counts, unless
        // typed coordinates and the drawing are the same geometry.
        if (!((w === 'coords' || w === 'geometry') && x.geometry)) setWay(x, w, undefined);
        save();
        drawFeatures();
        showDetail(w);
      });
      showDetail(way);
      fs.appendChild(err);
      li.appendChild(fs);
    }

    function followups(x, i, li) {
      if (!opts.followups || !opts.followups.length) return;
      var box = el('div', 'sv-followups');
      x.answers = x.answers || {};
      opts.followups.forEach(function (fu) {
        var node = F.build(fu, {
          id: io.id + '-f' + i + '-' + fu.key,
          get: function () { return x.answers[fu.key]; },
          set: function (v) {
            if (v === undefined) delete x.answers[fu.key]; else x.answers[fu.key] = v;
            save();
            showFollowups();
          }
        }, ctx.def.places);
        if (node) box.appendChild(node);
      });
      li.appendChild(box);
      function showFollowups() {
        var scope = logic.followupScope(q, x, ctx.lookup());
        opts.followups.forEach(function (fu) {
          var n = VK.$(io.id + '-f' + i + '-' + fu.key + '-q');
          if (n) n.hidden = !scope.shown[fu.key];
        });
      }
      li.showFollowups = showFollowups;
    }

    function renderList(focusIndex) {
      list.textContent = '';
      emptyNote.hidden = feats.length > 0;
      feats.forEach(function (x, i) {
        var li = el('li', { class: 'sv-feature', id: io.id + '-f' + i });
        var h = el('h3', { class: 'sv-feature-title', id: io.id + '-f' + i + '-h', tabindex: '-1' }, opts.title(x, i));
        li.appendChild(h);
        wayEditor(x, i, li);
        followups(x, i, li);
        var del = el('button', { type: 'button', class: 'button button-secondary button-small sv-delete', id: io.id + '-f' + i + '-delete' }, t('svDelete', { name: opts.title(x, i) }));
        del.addEventListener('click', function () {
          var name = opts.title(x, i);
          feats.splice(i, 1);
          if (opts.onRemove) opts.onRemove(x);
          save();
          renderList();
          announce(t('svDeleted', { name: name }));
          var next = VK.$(io.id + '-f' + Math.min(i, feats.length - 1) + '-h');
          (next || (opts.onAdd ? addNoMap : list)).focus();
        });
        li.appendChild(del);
        list.appendChild(li);
        if (li.showFollowups) li.showFollowups();
      });
      drawFeatures();
      updateAdd();
      if (focusIndex !== undefined && focusIndex >= 0) {
        var h2 = VK.$(io.id + '-f' + focusIndex + '-h');
        if (h2) h2.focus();
      }
    }

    function tryAdd(viaMap) {
      if (opts.canAdd && !opts.canAdd(feats)) {
        announce(t('svCannotAdd'));
        return;
      }
      if (viaMap) { startDrawing(-1); return; }
      var nf = opts.onAdd();
      if (!nf) return;
      nf._way = noMap ? 'coords' : 'district';
      if (!ctx.districts.length && nf._way === 'district') nf._way = 'description';
      feats.push(nf);
      save();
      renderList(feats.length - 1);
      announce(t('svFeatureAdded', { name: opts.title(nf, feats.length - 1) }));
    }
    // "Place it here": the point being drawn, else a new one, else the
    // first one still without a place (a geobudget's item).
    hereBtn.addEventListener('click', function () {
      if (!chosen) return;
      if (!map) { placeWithoutMap(); return; }
      var ll = L.latLng(chosen.lat, chosen.lon);
      if (!drawing) {
        if (opts.onAdd) {
          if (opts.canAdd && !opts.canAdd(feats)) { announce(t('svCannotAdd')); return; }
          startDrawing(-1);
        } else {
          var free = -1;
          feats.forEach(function (x, i) { if (free < 0 && !x.geometry && x._way === 'geometry') free = i; });
          if (free < 0) { announce(t('placeSearchNothing')); return; }
          startDrawing(free);
        }
      }
      addVertex(ll);
    });
    // Without the map: a new point at the place, else the first one still
    // without a place, given as coordinates (shown, and editable, as typed).
    function placeWithoutMap() {
      var i = -1;
      if (opts.onAdd) {
        if (opts.canAdd && !opts.canAdd(feats)) { announce(t('svCannotAdd')); return; }
        var nf = opts.onAdd();
        if (!nf) return;
        feats.push(nf);
        i = feats.length - 1;
      } else {
        feats.forEach(function (x, k) { if (i < 0 && !x.geometry && (x._way === 'coords' || x._way === 'geometry')) i = k; });
        if (i < 0) { announce(t('placeSearchNothing')); return; }
      }
      setWay(feats[i], 'geometry', geometryOf('point', [[round7(chosen.lon), round7(chosen.lat)]]));
      feats[i]._way = 'coords';
      save();
      renderList(i);
      announce(t('svFeatureAdded', { name: opts.title(feats[i], i) }));
    }
    drawNew.addEventListener('click', function () { tryAdd(true); });
    addNoMap.addEventListener('click', function () { tryAdd(false); });
    addBtn.addEventListener('click', function () { if (map) addVertex(map.getCenter()); });
    undoBtn.addEventListener('click', function () {
      if (!drawing || !drawing.v.length) { drawStatus.textContent = t('nothingToUndo'); return; }
      drawing.v.pop();
      renderDraft();
      drawStatus.textContent = t('vertexRemoved', { n: drawing.v.length });
    });
    finishBtn.addEventListener('click', finish);
    cancelBtn.addEventListener('click', function () {
      stopDrawing();
      drawStatus.textContent = '';
      announce(t('drawingCancelled'));
      drawNew.focus();
    });

    function afterInsert() {
      if (noMap || typeof L === 'undefined') return;
      map = makeMap(mapBox, ctx, t('svMapLabel', { q: localName(q.text) }));
      map.getContainer().setAttribute('aria-describedby', io.id + '-maphelp');
      placeLayer(map, ctx.def.places, null);
      featureLayer = L.layerGroup().addTo(map);
      draftLayer = L.layerGroup().addTo(map);
      map.on('click', function (e) { if (drawing) addVertex(e.latlng); });
      var c = map.getContainer();
      c.addEventListener('keydown', function (e) {
        if (e.target !== c || !drawing) return;
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          addVertex(map.getCenter());
        } else if (e.key === 'Escape') {
          cancelBtn.click();
        }
      });
      drawFeatures();
      if (UNFINISHED[io.id]) startDrawing(-1, UNFINISHED[io.id]);
    }

    renderList();
    return { node: node, afterInsert: afterInsert, feats: function () { return feats; }, refresh: function () { renderList(); } };
  }

  function mapQuestion(q, io, ctx) {
    var f = F.frame(q, io, true);
    var kind = KIND[q.type];
    var max = q.max_features || 10;
    f.body.appendChild(el('p', 'hint', t('svFeatureLimits_' + kind, { min: q.min_features || 0, max: max })));
    var ed = featureEditor(q, io, ctx, f, {
      kind: kind,
      followups: q.followups,
      title: function (x, i) { return t('svFeature_' + kind, { n: i + 1 }); },
      canAdd: function (feats) { return feats.length < max; },
      onAdd: function () { return { answers: {} }; }
    });
    f.body.appendChild(ed.node);
    f.current = function () { return ed.feats().length ? ed.feats() : undefined; };
    F.skipBox(q, io, f);
    f.wrap.afterInsert = ed.afterInsert;
    return f.wrap;
  }

  // Geobudget: the budget's counts are the placed items; + adds an item
  // to be placed, − takes away the last one of its kind.
  function geobudget(q, io, ctx) {
    var f = F.frame(q, io, true);
    var names = {};
    q.items.forEach(function (it) { names[it.key] = localName(it.text); });
    var ed;
    var pending = null;
    function counts() {
      var c = {};
      (ed ? ed.feats() : (Array.isArray(io.get()) ? io.get() : [])).forEach(function (x) { c[x.item] = (c[x.item] || 0) + 1; });
      return c;
    }
    var items = F.budgetItems(q, io, f, counts, function (k) {
      pending = k;
      ed.add();
    }, function (k) {
      var fs = ed.feats();
      for (var i = fs.length - 1; i >= 0; i--) if (fs[i].item === k) { ed.remove(i); break; }
    });
    f.body.appendChild(el('h3', 'sv-placed-heading', t('svPlacedHeading')));
    ed = featureEditor(q, io, ctx, f, {
      kind: 'point',
      title: function (x, i) { return t('svPlacedItem', { n: i + 1, name: names[x.item] || x.item }); },
      onAdd: null,
      emptyText: t('svNothingPlaced'),
      onRemove: function () { items.refresh(); }
    });
    // + in the budget list adds an item to place, − deletes the last one.
    ed.add = function () {
      var fs = ed.feats();
      fs.push({ item: pending, _way: ctx.noMap() ? 'coords' : 'geometry' });
      io.set(fs.map(function (x) { return Object.assign({}, x); }));
      ed.refresh();
    };
    ed.remove = function (i) {
      var fs = ed.feats();
      fs.splice(i, 1);
      io.set(fs.length ? fs.map(function (x) { return Object.assign({}, x); }) : undefined);
      ed.refresh();
    };
    f.body.appendChild(ed.node);
    f.current = function () { return ed.feats().length ? ed.feats() : undefined; };
    F.skipBox(q, io, f);
    f.wrap.afterInsert = ed.afterInsert;
    return f.wrap;
  }

  // The place-choice's map: the offered places, a click picks one.
  function placeChoiceMap(q, wrap, ctx) {
    if (ctx.noMap() || typeof L === 'undefined') return;
    var offered = (ctx.def.places || []).filter(function (p) { return !q.places || q.places.indexOf(p.key) >= 0; });
    var box = el('div', { class: 'sv-map-wrap sv-map-small', id: wrap.id + '-map' });
    var note = el('p', 'hint', t('svPlaceMapHelp'));
    var body = wrap.querySelector('.sv-q-body');
    body.appendChild(note);
    body.appendChild(box);
    wrap.afterInsert = function () {
      var map = makeMap(box, ctx, t('svMapLabel', { q: localName(q.text) }));
      placeLayer(map, offered, function (key) { wrap.sv.toggle(key); });
      var g = L.featureGroup();
      offered.forEach(function (p) { g.addLayer(L.geoJSON(p.geometry)); });
      if (offered.length && !ctx.def.area) map.fitBounds(g.getBounds().pad(0.3));
    };
  }

  VK.survey = VK.survey || {};
  VK.survey.map = { mapQuestion: mapQuestion, geobudget: geobudget, placeChoiceMap: placeChoiceMap, parseCoords: parseCoords };
})();
