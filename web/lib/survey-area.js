/*
 * lib/survey-area.js — the survey area and the author's places, on the map
 * and without it. parse() reads what an author pastes (GeoJSON: a
 * geometry, a Feature or the first of a FeatureCollection; or plain
 * "lon lat" pairs, one a line, in EPSG:4326) into a geometry; drawer()
 * adds drawing to a map made with lib/map.js: corners of the area by click
 * (or at the map's centre, for the keyboard), a place by click or at the
 * centre. Load after Leaflet, lib/vk.js and lib/map.js.
 */
(function () {
  'use strict';

  var VK = window.VK;

  var AREA_STYLE = { color: '#0a4f7e', weight: 3, fillOpacity: 0.12 };
  var DRAFT_STYLE = { color: '#b00020', weight: 3, dashArray: '4 4' };

  // A refusal with the i18n key of its reason.
  function ParseError(key) { this.key = key; this.message = key; }

  function round(n) { return Math.round(n * 1e7) / 1e7; }

  function pairsOf(text) {
    var nums = (text.match(/-?\d+(?:\.\d+)?/g) || []).map(Number);
    if (!nums.length || nums.length % 2) throw new ParseError('geomErrPairs');
    var out = [];
    for (var i = 0; i < nums.length; i += 2) {
      if (Math.abs(nums[i]) > 180 || Math.abs(nums[i + 1]) > 90) throw new ParseError('geomErrRange');
      out.push([nums[i], nums[i + 1]]);
    }
    return out;
  }

  function closeRing(ring) {
    var a = ring[0], b = ring[ring.length - 1];
    if (a[0] !== b[0] || a[1] !== b[1]) ring.push([a[0], a[1]]);
    return ring;
  }

  // what: 'area' (a Polygon or MultiPolygon) or 'place' (a Point or those).
  function parse(text, what) {
    text = String(text || '').trim();
    if (!text) throw new ParseError('geomErrEmpty');
    var g;
    if (text.charAt(0) === '{') {
      try { g = JSON.parse(text); } catch (e) { throw new ParseError('geomErrJson'); }
      if (g && g.type === 'FeatureCollection') g = g.features && g.features[0];
      if (g && g.type === 'Feature') g = g.geometry;
      if (!g || !Array.isArray(g.coordinates)) throw new ParseError('geomErrJson');
    } else {
      var pairs = pairsOf(text);
      if (pairs.length === 1) g = { type: 'Point', coordinates: pairs[0] };
      else if (pairs.length >= 3) g = { type: 'Polygon', coordinates: [closeRing(pairs)] };
      else throw new ParseError('geomErrFew');
    }
    var ok = g.type === 'Polygon' || g.type === 'MultiPolygon' || (what === 'place' && g.type === 'Point');
    if (!ok) throw new ParseError(what === 'place' ? 'geomErrPlaceType' : 'geomErrAreaType');
    return { type: g.type, coordinates: g.coordinates };
  }

  // A geometry as an author reads and edits it: a point as "lon lat", a
  // single-ring polygon as its corners one a line, anything else as GeoJSON.
  function format(g) {
    if (!g) return '';
    if (g.type === 'Point') return g.coordinates.join(' ');
    if (g.type === 'Polygon' && g.coordinates.length === 1) {
      return g.coordinates[0].map(function (p) { return p.join(' '); }).join('\n');
    }
    return JSON.stringify(g);
  }

  // Drawing on `map`. cb: {area(geometry), place([lon, lat]), status(key, vars)}.
  function drawer(map, cb) {
    var areaLayer = null, placesLayer = L.layerGroup().addTo(map), draft = [], draftLayer = null, mode = null;

    function showDraft() {
      if (draftLayer) draftLayer.remove();
      draftLayer = null;
      if (!draft.length) return;
      var latlngs = draft.map(function (p) { return [p[1], p[0]]; });
      draftLayer = (draft.length === 1 ? L.circleMarker(latlngs[0], { radius: 6, color: DRAFT_STYLE.color })
        : L.polyline(latlngs, DRAFT_STYLE)).addTo(map);
    }

    function add(lonlat) {
      lonlat = [round(lonlat[0]), round(lonlat[1])];
      if (mode === 'area') {
        draft.push(lonlat);
        showDraft();
        cb.status('mapCornerAdded', { n: draft.length });
      } else if (mode === 'place') {
        setMode(null);
        cb.place(lonlat);
      }
    }

    map.on('click', function (e) { add([e.latlng.lng, e.latlng.lat]); });

    function setMode(m) {
      mode = m;
      draft = [];
      showDraft();
      map.getContainer().classList.toggle('is-drawing', !!m);
    }

    function finish() {
      if (draft.length < 3) { cb.status('mapAreaFew', { n: draft.length }); return false; }
      var ring = closeRing(draft.slice());
      setMode(null);
      cb.area({ type: 'Polygon', coordinates: [ring] });
      return true;
    }

    function setArea(g) {
      if (areaLayer) areaLayer.remove();
      areaLayer = g ? L.geoJSON(g, { style: AREA_STYLE, interactive: false }).addTo(map) : null;
    }

    function setPlaces(places) {
      placesLayer.clearLayers();
      (places || []).forEach(function (p) {
        if (!p || !p.geometry) return;
        try {
          L.geoJSON(p.geometry, {
            style: AREA_STYLE,
            pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 7, color: '#063a5e', fillOpacity: 0.8 }); }
          }).bindTooltip(VK.textNode('span', p.key)).addTo(placesLayer);
        } catch (e) { /* a half-typed geometry: shown once it is whole */ }
      });
    }

    function fit() {
      var b = L.latLngBounds([]);
      if (areaLayer) b.extend(areaLayer.getBounds());
      placesLayer.eachLayer(function (l) { if (l.getBounds) b.extend(l.getBounds()); });
      if (b.isValid()) map.fitBounds(b, { maxZoom: 15 });
    }

    return {
      mode: function () { return mode; },
      setMode: setMode,
      addAtCentre: function () { var c = map.getCenter(); add([c.lng, c.lat]); },
      undo: function () { draft.pop(); showDraft(); },
      finish: finish,
      setArea: setArea,
      setPlaces: setPlaces,
      fit: fit
    };
  }

  VK.surveyArea = { parse: parse, format: format, drawer: drawer, ParseError: ParseError };
})();
