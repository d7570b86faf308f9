/*
 * staff-layers.js — staff-layers.html, the planner's page of layers: every
 * collection of /ogcapi/collections with ready-made URLs and commands for
 * QGIS and GDAL (the OAPIF endpoint, the GeoPackage and GeoJSON exports in
 * the chosen CRS where the collection has them), each with a copy button.
 * The commands are those of docs/gis.md, which the tests run.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, t = VK.t, $ = VK.$, el = VK.el;
  var collections = [];

  function base() { return location.origin; }

  function enclosure(c, type) {
    var l = (c.links || []).filter(function (x) { return x.rel === 'enclosure' && x.type === type; })[0];
    return l ? l.href : null;
  }

  // The rows of one collection: [label key, text to copy].
  function rows(c, epsg) {
    var id = c.id, out = [];
    out.push(['layersOapif', base() + '/ogcapi']);
    out.push(['layersGdalOapif', 'ogr2ogr -f GPKG ' + id + '-' + epsg + '.gpkg -t_srs EPSG:' + epsg +
      ' "OAPIF:' + base() + '/ogcapi" ' + id]);
    var gpkg = enclosure(c, 'application/geopackage+sqlite3');
    var geojson = enclosure(c, 'application/geo+json');
    if (gpkg) out.push(['layersGpkg', gpkg + '?crs=EPSG:' + epsg]);
    if (geojson) {
      out.push(['layersGeojson', geojson + '?crs=EPSG:' + epsg]);
      out.push(['layersGdalGeojson', 'ogr2ogr -f GPKG ' + id + '-' + epsg + '.gpkg "' + geojson +
        '?crs=EPSG:' + epsg + '"']);
    }
    return out;
  }

  function copy(input, name) {
    var done = function () { S.announce(t('layersCopied', { what: name })); };
    var fallback = function () {
      // Plain-http pages have no async clipboard.
      input.focus();
      input.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      S.announce(ok ? t('layersCopied', { what: name }) : t('layersCopyFailed'));
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, fallback);
    } else {
      fallback();
    }
  }

  function render() {
    var box = $('collections');
    var epsg = $('crs').value;
    box.textContent = '';
    collections.forEach(function (c, i) {
      var hid = 'layer-' + i + '-heading';
      var sec = el('section', { class: 'panel layer', 'data-collection': c.id, 'aria-labelledby': hid });
      var h = el('h2', { id: hid }, c.title || c.id);
      h.appendChild(el('span', 'hint-inline', ' (' + c.id + ')'));
      sec.appendChild(h);
      if (c.description) sec.appendChild(el('p', 'hint', c.description));
      rows(c, epsg).forEach(function (r, k) {
        var fid = 'layer-' + i + '-' + k;
        var field = el('div', 'field copy-field');
        field.appendChild(el('label', { for: fid }, t(r[0])));
        var line = el('div', 'copy-row');
        var input = el('input', { type: 'text', id: fid, readonly: 'readonly', value: r[1],
          spellcheck: 'false', 'data-kind': r[0] });
        var b = el('button', { type: 'button', class: 'button button-secondary button-small',
          'data-copy': fid }, t('layersCopy'));
        b.appendChild(el('span', 'visually-hidden', ' ' + t(r[0]) + ', ' + (c.title || c.id)));
        b.addEventListener('click', function () { copy(input, t(r[0]) + ', ' + (c.title || c.id)); });
        line.appendChild(input);
        line.appendChild(b);
        field.appendChild(line);
        sec.appendChild(field);
      });
      box.appendChild(sec);
    });
  }

  function load() {
    return VK.getJSON('/ogcapi/collections').then(function (j) {
      collections = j.collections || [];
      render();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('crs').addEventListener('change', function () {
      render();
      S.announce(t('layersCrsChanged', { crs: 'EPSG:' + $('crs').value }));
    });
    S.start({
      onLanguage: function () { if (collections.length) render(); },
      onSignedIn: load
    });
  });
})();
