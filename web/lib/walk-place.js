/*
 * lib/walk-place.js — where a finding is: "use my location" (the phone's
 * GPS), corrected by tapping the map or dragging the marker; by keyboard
 * the map pans with the arrow keys under a crosshair and Enter (or the
 * button) puts the place there. Without the map (the same "no map"
 * choice the survey and budgeting pages keep): the GPS, coordinates typed
 * as on the survey pages (lib/survey-map.js parseCoords), or a point along
 * the walk's route chosen by its distance from the start. Every way sets
 * the same point; the summary says the place and its target level.
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, el = VK.el;
  var ROUTE_STYLE = { color: '#0a4f7e', weight: 5, opacity: 0.9, fill: false, interactive: false };
  var AREA_STYLE = { color: '#7a3e00', weight: 2, dashArray: '6 4', fillColor: '#f5b041', fillOpacity: 0.15, interactive: false };
  var STEP_M = 50;

  function round7(x) { return Math.round(x * 1e7) / 1e7; }

  function metres(a, b) {
    var R = 6371008.8, rad = Math.PI / 180;
    var dLat = (b[1] - a[1]) * rad, dLon = (b[0] - a[0]) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * R * Math.asin(Math.sqrt(h));
  }

  function routeLines(g) {
    if (!g) return [];
    if (g.type === 'LineString') return [g.coordinates];
    if (g.type === 'MultiLineString') return g.coordinates;
    return [];
  }

  // Points every STEP_M metres along the route (and its end): [{m, at}].
  function routeStops(route) {
    var out = [], total = 0;
    routeLines(route).forEach(function (line) {
      var next = Math.ceil(total / STEP_M) * STEP_M;
      for (var i = 1; i < line.length; i++) {
        var a = line[i - 1], b = line[i], d = metres(a, b);
        while (d > 0 && next <= total + d) {
          var f = (next - total) / d;
          out.push({ m: next, at: [round7(a[0] + (b[0] - a[0]) * f), round7(a[1] + (b[1] - a[1]) * f)] });
          next += STEP_M;
        }
        total += d;
      }
      var last = line[line.length - 1];
      if (!out.length || out[out.length - 1].m < Math.round(total)) out.push({ m: Math.round(total), at: last });
    });
    return out;
  }

  // A map layer of the walk's route or area and the special-level areas.
  function walkLayers(map, walk, areas) {
    var g = L.featureGroup().addTo(map);
    (areas || []).forEach(function (a) {
      if (a.properties && a.properties.level === 'special') g.addLayer(L.geoJSON(a.geometry, { style: function () { return AREA_STYLE; } }));
    });
    var own = L.featureGroup().addTo(map);
    if (walk.area) own.addLayer(L.geoJSON(walk.area, { style: function () { return Object.assign({}, ROUTE_STYLE, { weight: 3, fill: true, fillOpacity: 0.08 }); } }));
    if (walk.route) own.addLayer(L.geoJSON(walk.route, { style: function () { return ROUTE_STYLE; } }));
    return own;
  }

  // opts: {id, config, walk, areas, noMap, value ([lon, lat] or null),
  // onChange([lon, lat] or null)}. Returns {node, afterInsert, get, destroy}.
  function create(opts) {
    var id = opts.id;
    var point = opts.value || null;
    var map = null, marker = null;
    var node = el('div', 'w-place');

    node.appendChild(el('p', 'hint', t(opts.noMap ? 'wPlaceHelpNoMap' : 'wPlaceHelp')));

    // The GPS.
    var gpsRow = el('div', 'button-row');
    var gps = el('button', { type: 'button', class: 'button button-secondary', id: id + '-gps' }, t('wUseLocation'));
    gpsRow.appendChild(gps);
    node.appendChild(gpsRow);
    var gpsStatus = el('p', { class: 'hint', id: id + '-gps-status', 'aria-live': 'polite' });
    node.appendChild(gpsStatus);

    // The address search (lib/place-search.js): a chosen address is the
    // place, to be corrected on the map like the GPS's.
    if (VK.placeSearch) {
      VK.placeSearch.mount(node, { id: id + '-search', onChoose: function (p) {
        set([p.lon, p.lat], 'search');
        if (map) map.setView([p.lat, p.lon], Math.max(map.getZoom(), 17), { animate: false });
      } });
    }

    // The map.
    var mapBox = el('div', { class: 'w-place-map-wrap', id: id + '-map' });
    var cross = el('div', { class: 'crosshair', 'aria-hidden': 'true' });
    var centreBtn = el('button', { type: 'button', class: 'button button-secondary button-small', id: id + '-centre' }, t('wPlaceAtCentre'));
    if (!opts.noMap) {
      node.appendChild(el('p', { class: 'hint', id: id + '-maphelp' }, t('wPlaceMapKeys')));
      node.appendChild(mapBox);
      var row = el('div', 'button-row');
      row.appendChild(centreBtn);
      node.appendChild(row);
    }

    // Coordinates, as on the survey pages.
    var cid = id + '-coords';
    var cl = el('label', { for: cid }, t('svCoords_point'));
    var coords = el('input', { type: 'text', id: cid, inputmode: 'decimal', autocomplete: 'off',
      'aria-describedby': cid + '-hint ' + cid + '-error' });
    var cerr = el('p', { class: 'field-error', id: cid + '-error' });
    cerr.hidden = true;
    node.appendChild(cl);
    node.appendChild(el('p', { class: 'hint', id: cid + '-hint' }, t('svCoordsHint')));
    node.appendChild(coords);
    node.appendChild(cerr);

    // Along the route.
    var stops = routeStops(opts.walk.route);
    var along = null;
    if (stops.length > 1) {
      var aid = id + '-along';
      node.appendChild(el('label', { for: aid }, t('wAlongRoute')));
      along = el('select', { id: aid });
      var none = el('option', null, t('chooseOption'));
      none.value = '';
      along.appendChild(none);
      stops.forEach(function (s, i) {
        var o = el('option', null, t('wAlongStop', { m: VK.formatNumber(s.m) }));
        o.value = String(i);
        along.appendChild(o);
      });
      node.appendChild(along);
    }

    var summary = el('p', { class: 'location-summary', id: id + '-summary', 'aria-live': 'polite' });
    node.appendChild(summary);

    function describe() {
      if (!point) { summary.textContent = t('wPlaceNone'); return; }
      var lv = VK.walkCheck.levelAt(opts.areas, point);
      summary.textContent = t('wPlaceIs', { lat: point[1].toFixed(5), lon: point[0].toFixed(5) }) + ' ' +
        (lv.area ? t('wLevelSpecialAt', { area: VK.localName({ fi: lv.area.properties.name_fi, sv: lv.area.properties.name_sv, en: lv.area.properties.name_en }) })
          : t('wLevelBasic'));
    }

    // from: the way that set it (its own field is left as typed).
    function set(p, from) {
      point = p ? [round7(p[0]), round7(p[1])] : null;
      if (from !== 'coords') {
        coords.value = point ? point[1].toFixed(6) + ', ' + point[0].toFixed(6) : '';
        cerr.hidden = true;
      }
      if (along && from !== 'along') along.value = '';
      if (map) {
        if (point) {
          var ll = [point[1], point[0]];
          if (!marker) {
            marker = L.marker(ll, { draggable: true, keyboard: false, alt: t('wMarkerAlt') }).addTo(map);
            marker.on('dragend', function () {
              var m = marker.getLatLng();
              set([m.lng, m.lat], 'map');
            });
          } else marker.setLatLng(ll);
          if (from !== 'map') map.panTo(ll, { animate: false });
        } else if (marker) { marker.remove(); marker = null; }
      }
      describe();
      if (opts.onChange) opts.onChange(point);
    }

    gps.addEventListener('click', function () {
      if (!navigator.geolocation) { gpsStatus.textContent = t('wGpsNone'); return; }
      gpsStatus.textContent = t('wGpsAsking');
      navigator.geolocation.getCurrentPosition(function (pos) {
        var c = pos.coords;
        set([c.longitude, c.latitude], 'gps');
        if (map) map.setView([c.latitude, c.longitude], Math.max(map.getZoom(), 17), { animate: false });
        gpsStatus.textContent = t('wGpsGot', { m: VK.formatNumber(Math.round(c.accuracy || 0)) }) + (opts.noMap ? '' : ' ' + t('wGpsCorrect'));
      }, function (err) {
        gpsStatus.textContent = t(err && err.code === 1 ? 'wGpsDenied' : err && err.code === 3 ? 'wGpsTimeout' : 'wGpsFailed');
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 10000 });
    });

    function typed(leaving) {
      var c = VK.survey.map.parseCoords(coords.value, 'point');
      if (c) { cerr.hidden = true; set(c[0], 'coords'); return; }
      if (leaving && coords.value.trim()) {
        cerr.textContent = t('svCoordsInvalid');
        cerr.hidden = false;
      }
    }
    coords.addEventListener('input', function () { typed(false); });
    coords.addEventListener('change', function () { typed(true); });
    if (along) along.addEventListener('change', function () {
      if (along.value !== '') set(stops[Number(along.value)].at, 'along');
    });
    centreBtn.addEventListener('click', function () {
      if (!map) return;
      var c = map.getCenter();
      set([c.lng, c.lat], 'map');
    });

    function afterInsert() {
      if (opts.noMap || typeof L === 'undefined') return;
      var div = el('div', { class: 'w-place-map', id: id + '-leaflet', role: 'region',
        'aria-label': t('wPlaceMapLabel'), 'aria-describedby': id + '-maphelp' });
      mapBox.appendChild(div);
      mapBox.appendChild(cross);
      map = VK.map.create(div.id, opts.config);
      VK.map.zoomControl(map);
      var own = walkLayers(map, opts.walk, opts.areas);
      if (point) map.setView([point[1], point[0]], 17);
      else if (own.getBounds().isValid()) map.fitBounds(own.getBounds().pad(0.1));
      else map.setView(VK.map.centre(opts.config), VK.map.zoom(opts.config));
      map.on('click', function (e) { set([e.latlng.lng, e.latlng.lat], 'map'); });
      var c = map.getContainer();
      c.addEventListener('keydown', function (e) {
        if (e.target !== c) return;
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          var m = map.getCenter();
          set([m.lng, m.lat], 'map');
        }
      });
      if (point) set(point, 'init');
    }

    set(point, 'init');
    return {
      node: node, afterInsert: afterInsert,
      get: function () { return point; },
      focus: function () { gps.focus(); },
      destroy: function () { if (map) { map.remove(); map = null; marker = null; } }
    };
  }

  VK.walkPlace = { create: create, walkLayers: walkLayers, routeStops: routeStops };
})();
