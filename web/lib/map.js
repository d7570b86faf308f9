/*
 * lib/map.js — the Leaflet setup the map pages share: the map with the
 * keyboard on and the animations off for those who asked for reduced
 * motion, the basemap and its attribution (plain text, escaped), the zoom
 * buttons with titles in the page's language, and the district outline.
 * Load after Leaflet and lib/vk.js.
 */
(function () {
  'use strict';

  var VK = window.VK;

  // The districts' outline: dashed, so it never reads as a status colour.
  var DISTRICT_STYLE = { color: '#3d4650', weight: 2, opacity: 1, dashArray: '6 4', fillColor: '#ffffff', fillOpacity: 0.35 };

  // A map in the element `id` with the configured basemap (GET
  // /api/v1/config); the caller sets the view.
  function create(id, cfg) {
    var reduceMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    var map = L.map(id, {
      fadeAnimation: !reduceMotion,
      zoomAnimation: !reduceMotion,
      markerZoomAnimation: !reduceMotion,
      keyboard: true,
      keyboardPanDelta: 60,
      zoomControl: false,
      attributionControl: true,
      zoomSnap: 1
    });
    map.attributionControl.setPrefix('Leaflet');
    if (cfg && cfg.tiles) {
      L.tileLayer(cfg.tiles, { attribution: VK.attributionHtml(cfg.attribution), maxZoom: 19, referrerPolicy: 'strict-origin' }).addTo(map);
    } else if (cfg && cfg.attribution) {
      map.attributionControl.addAttribution(VK.attributionHtml(cfg.attribution));
    }
    return map;
  }

  // The configured centre as Leaflet's [lat, lon], and the zoom.
  function centre(cfg) {
    var c = (cfg && cfg.center) || [28.77, 61.19];
    return [c[1], c[0]];
  }
  function zoom(cfg) { return (cfg && typeof cfg.zoom === 'number') ? cfg.zoom : 12; }

  // The zoom buttons, titled in the page's language; replaces `old` (the
  // buttons drawn in the language before).
  function zoomControl(map, old) {
    if (old) old.remove();
    return L.control.zoom({ position: 'topleft', zoomInTitle: VK.t('zoomIn'), zoomOutTitle: VK.t('zoomOut') }).addTo(map);
  }

  VK.map = { create: create, centre: centre, zoom: zoom, zoomControl: zoomControl, DISTRICT_STYLE: DISTRICT_STYLE };
})();
