/*
 * lib/results.js — what the survey results pages share (the planner's
 * staff-survey-results.html, the public /s/{slug}/results and the survey's
 * landing page): a count that may be suppressed in words, shares, "what we
 * did with your answers" with its status and links, and the hexagon grid
 * of a map question on a map with its legend. Load after lib/vk.js,
 * lib/charts.js (and lib/map.js for maps).
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, el = VK.el, localName = VK.localName;

  // Hexagon classes, light to dark (ColorBrewer OrRd, as the statistics
  // page); the legend gives each class its limits, the table the numbers.
  var HEX_COLOURS = ['#fdd49e', '#fc8d59', '#d7301f', '#7f0000'];

  function isSuppressed(c) { return !!c && typeof c === 'object' && c.suppressed === true; }

  // A public count: a number, {suppressed, below: k} or {suppressed,
  // secondary}. → {value (number or null), text (words)}.
  function count(c) {
    if (isSuppressed(c)) {
      if (c.secondary) return { value: null, text: t('rsSecondary'), suppressed: true };
      return { value: null, text: t('rsFewer', { k: c.below }), suppressed: true };
    }
    if (c === null || c === undefined) return { value: null, text: '–' };
    return { value: c, text: VK.formatNumber(c) };
  }

  function share(x) {
    if (x === null || x === undefined) return '–';
    return VK.formatNumber(x * 100, 1) + ' %';
  }

  function number(x, digits) {
    return x === null || x === undefined ? '–' : VK.formatNumber(x, digits === undefined ? 2 : digits);
  }

  function statusName(s) { return s ? t('rsStatus_' + s) : ''; }

  // "What we did with your answers": the status, the text in the page's
  // language (paragraphs as written) and the links. w: the public
  // definition's what_we_did (or the results' own). headingLevel: 'h2'.
  function whatWeDid(box, w, headingLevel, resultsHref) {
    box.textContent = '';
    if (!w) { box.hidden = true; return; }
    box.hidden = false;
    box.appendChild(el(headingLevel || 'h2', { id: box.id + '-heading' }, t('rsWhatWeDidH')));
    if (w.status) {
      var p = el('p', 'rs-status-line');
      p.appendChild(el('span', 'rs-status-label', t('rsStatusLabel') + ' '));
      p.appendChild(el('strong', 'rs-status rs-status-' + w.status, statusName(w.status)));
      box.appendChild(p);
    }
    var text = localName(w.text);
    if (text) {
      String(text).split(/\n\s*\n/).forEach(function (para) { box.appendChild(el('p', 'sv-para', para)); });
    } else if (!w.status) {
      box.appendChild(el('p', null, t('rsNoWhatYet')));
    }
    if (w.links && w.links.length) {
      var ul = el('ul', 'rs-links');
      w.links.forEach(function (l) {
        var li = el('li');
        li.appendChild(el('a', { href: l.url, rel: 'noopener' }, localName(l.title) || l.url));
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    if (resultsHref && w.results) {
      box.appendChild(el('p')).appendChild(el('a', { href: resultsHref, class: 'button button-secondary' }, t('rsSeeResults')));
    }
  }

  /* ---------- the hexagon grid on a map ---------- */

  // Class limits for the counts: up to four classes of about equal counts
  // of cells, each limit a count that occurs.
  function classes(values) {
    var v = values.filter(function (x) { return typeof x === 'number' && x > 0; }).sort(function (a, b) { return a - b; });
    if (!v.length) return [];
    var out = [];
    for (var i = 1; i <= 4; i++) {
      var lim = v[Math.min(v.length - 1, Math.ceil(i * v.length / 4) - 1)];
      if (!out.length || lim > out[out.length - 1]) out.push(lim);
    }
    return out;
  }

  function classOf(limits, x) {
    for (var i = 0; i < limits.length; i++) if (x <= limits[i]) return i;
    return limits.length - 1;
  }

  // The map of one question: hexagons (a GeoJSON FeatureCollection whose
  // properties hold `prop`, a number, null for a suppressed cell) over the
  // districts. Returns {map, setGrid(fc), legend}; the legend is a list
  // beside the map (not in it), so it is read in order and never covers it.
  function hexMap(mapBox, legendBox, cfg, districts, prop) {
    var map = VK.map.create(mapBox.id, cfg);
    map.setView(VK.map.centre(cfg), VK.map.zoom(cfg));
    VK.map.zoomControl(map);
    if (districts && districts.length) {
      L.geoJSON({ type: 'FeatureCollection', features: districts }, {
        style: function () { return Object.assign({}, VK.map.DISTRICT_STYLE, { fillOpacity: 0 }); },
        interactive: false
      }).addTo(map);
    }
    var layer = null;
    function setGrid(fc) {
      if (layer) layer.remove();
      legendBox.textContent = '';
      var feats = (fc && fc.features) || [];
      var vals = feats.map(function (f) { return f.properties ? f.properties[prop] : null; });
      var limits = classes(vals);
      layer = L.geoJSON(fc, {
        style: function (f) {
          var x = f.properties ? f.properties[prop] : null;
          if (typeof x !== 'number') {
            // Suppressed: an outline, dashed, no fill.
            return { color: '#1b1f23', weight: 1, dashArray: '3 3', fillOpacity: 0 };
          }
          return { color: '#1b1f23', weight: 0.5, fillColor: HEX_COLOURS[classOf(limits, x)], fillOpacity: 0.8 };
        }
      }).addTo(map);
      if (feats.length) {
        try { map.fitBounds(layer.getBounds(), { maxZoom: 15, animate: false }); } catch (e) { /* empty bounds */ }
      }
      var ul = el('ul', 'rs-legend');
      var lo = Math.min.apply(null, vals.filter(function (x) { return typeof x === 'number' && x > 0; }).concat([Infinity]));
      limits.forEach(function (lim, i) {
        var li = el('li');
        li.appendChild(el('span', 'rs-swatch rs-swatch-' + i, ''));
        li.appendChild(el('span', null, lo === lim ? VK.formatNumber(lim) : VK.formatNumber(lo) + '–' + VK.formatNumber(lim)));
        ul.appendChild(li);
        lo = lim + 1;
      });
      if (vals.some(function (x) { return x === null; })) {
        var li = el('li');
        li.appendChild(el('span', 'rs-swatch rs-swatch-none', ''));
        li.appendChild(el('span', null, t('rsHexSuppressed')));
        ul.appendChild(li);
      }
      legendBox.appendChild(el('p', 'rs-legend-title', t('rsLegend', { n: feats.length })));
      legendBox.appendChild(ul);
    }
    return { map: map, setGrid: setGrid };
  }

  // The hexagons of a results document ({q, r, center: [lon, lat], count}
  // in the public one, n instead of count in the staff one: `key`) as
  // GeoJSON polygons for the map: pointy-topped, side 0.6204 × size (the
  // grid of src/gis/hex.h), drawn around the centre in local metres. The
  // grid is in EPSG:3067, so on the map a cell is tilted by a degree or
  // two; the figures themselves are the server's. Drawn from the document
  // the page already has, the map asks for nothing more, however many
  // answers there are: the grid is bounded by the area, not the answers.
  function hexFeatures(cells, size, prop, key) {
    var side = size * Math.sqrt(2 / (3 * Math.sqrt(3)));
    key = key || 'count';
    return { type: 'FeatureCollection', features: (cells || []).filter(function (c) { return c.center; }).map(function (c) {
      var lon = c.center[0], lat = c.center[1];
      var mx = 111320 * Math.cos(lat * Math.PI / 180), my = 110574;
      var ring = [];
      for (var i = 0; i <= 6; i++) {
        var a = (30 + 60 * (i % 6)) * Math.PI / 180;
        ring.push([lon + side * Math.cos(a) / mx, lat + side * Math.sin(a) / my]);
      }
      var props = { q: c.q, r: c.r };
      props[prop] = typeof c[key] === 'number' ? c[key] : null;
      return { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: props };
    }) };
  }

  VK.results = { hexFeatures: hexFeatures, count: count, share: share, number: number, isSuppressed: isSuppressed,
    statusName: statusName, whatWeDid: whatWeDid, hexMap: hexMap, classes: classes };
})();
