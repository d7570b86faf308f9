/*
 * staff-walk-mail.js — staff-walk-mail.html: a council member (or an admin)
 * chooses the areas whose walk findings they want to hear about by e-mail
 * (GET/PUT /api/v1/staff/walk-subscription, docs/mail.md). The areas are
 * the districts (/api/v1/districts) and the special accessibility areas
 * (/ogcapi/collections/accessibility-areas/items): a checkbox each, and
 * the same areas outlined on a map where a click toggles the checkbox.
 * The list alone is enough: the map only shows what the list says.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, t = VK.t, $ = VK.$, el = VK.el;
  var FIELDS = { email: 'm-email', language: 'm-language', consent: 'm-consent', areas: 'm-areas' };
  var CHOSEN_STYLE = { color: '#0b4f8a', weight: 3, opacity: 1, fillColor: '#1565c0', fillOpacity: 0.45 };
  var st = { areas: [], current: null, map: null, zoom: null, layers: {}, config: null };

  // An area's name; a special accessibility area says so (a district may
  // have the same name).
  function areaName(key) {
    var a = st.areas.filter(function (x) { return x.key === key; })[0];
    if (!a) return key;
    var n = VK.localName(a.name) || a.code;
    return a.special ? t('wmSpecialName', { name: n }) : n;
  }

  function box(key) { return document.querySelector('#follow-form input[data-area="' + key + '"]'); }

  function chosen() {
    return Array.prototype.map.call(document.querySelectorAll('#follow-form input[data-area]:checked'),
      function (c) { return c.getAttribute('data-area'); });
  }

  /* ---------- what the member follows now ---------- */

  function renderCurrent() {
    var c = st.current;
    var some = !!(c && c.areas.length);
    $('now-none').hidden = some;
    $('now-some').hidden = !some;
    if (!some) return;
    $('now-address').textContent = t('wmNowAddress', { email: c.email, language: t('wmLang_' + c.language) });
    var ul = $('now-list');
    ul.textContent = '';
    c.areas.forEach(function (k) { ul.appendChild(el('li', null, areaName(k))); });
  }

  /* ---------- the list ---------- */

  function renderList() {
    var keep = {};
    var had = document.querySelectorAll('#follow-form input[data-area]').length > 0;
    if (had) chosen().forEach(function (k) { keep[k] = true; });
    else if (st.current) st.current.areas.forEach(function (k) { keep[k] = true; });
    [['districts', false], ['specials', true]].forEach(function (g) {
      var wrap = $(g[0]);
      wrap.textContent = '';
      st.areas.filter(function (a) { return a.special === g[1]; }).forEach(function (a, i) {
        var id = 'area-' + (g[1] ? 's' : 'd') + '-' + i;
        var d = el('div', 'checkbox');
        var input = el('input', { type: 'checkbox', id: id, name: 'areas', value: a.key, 'data-area': a.key });
        input.checked = !!keep[a.key];
        input.addEventListener('change', paint);
        d.appendChild(input);
        d.appendChild(el('label', { for: id }, VK.localName(a.name) || a.code));
        wrap.appendChild(d);
      });
    });
  }

  /* ---------- the map ---------- */

  function paint() {
    if (!st.map) return;
    var on = {};
    chosen().forEach(function (k) { on[k] = true; });
    Object.keys(st.layers).forEach(function (k) {
      st.layers[k].setStyle(on[k] ? CHOSEN_STYLE : VK.map.DISTRICT_STYLE);
    });
  }

  function makeMap() {
    if (st.map || !window.L) return;
    st.map = VK.map.create('area-map', st.config);
    st.zoom = VK.map.zoomControl(st.map);
    st.map.setView(VK.map.centre(st.config), VK.map.zoom(st.config));
    var all = [];
    st.areas.forEach(function (a) {
      if (!a.geometry) return;
      var layer = L.geoJSON(a.geometry, { style: VK.map.DISTRICT_STYLE });
      // A click is the list's checkbox: the change shows in both.
      layer.on('click', function () {
        var c = box(a.key);
        if (!c) return;
        c.checked = !c.checked;
        paint();
        S.announce(t(c.checked ? 'wmMapChosen' : 'wmMapUnchosen', { area: VK.localName(a.name) || a.code }));
      });
      layer.addTo(st.map);
      st.layers[a.key] = layer;
      all.push(layer);
    });
    // The container was laid out just now (the section was hidden).
    st.map.invalidateSize();
    if (all.length) {
      var b = L.featureGroup(all).getBounds();
      if (b.isValid()) st.map.fitBounds(b);
    }
    paint();
  }

  /* ---------- load and save ---------- */

  function fillForm() {
    var c = st.current;
    $('m-email').value = (c && c.email) || '';
    $('m-language').value = (c && c.language) || VK.lang();
    $('m-consent').checked = !!(c && c.email);
  }

  function loadAreas() {
    return Promise.all([VK.getJSON('/api/v1/districts'),
      VK.getJSON('/ogcapi/collections/accessibility-areas/items?limit=100').catch(function () { return { features: [] }; })
    ]).then(function (r) {
      st.areas = r[0].features.map(function (f) {
        return { key: 'district:' + f.properties.code, code: f.properties.code, special: false,
          geometry: f.geometry, name: f.properties.name };
      }).concat(r[1].features.map(function (f) {
        var p = f.properties;
        return { key: 'accessibility:' + p.code, code: p.code, special: true, geometry: f.geometry,
          name: { fi: p.name_fi, sv: p.name_sv, en: p.name_en } };
      }));
    });
  }

  function save(areas) {
    var form = $('follow-form');
    var body = areas.length ? { email: $('m-email').value.trim(), language: $('m-language').value,
      consent: $('m-consent').checked, areas: areas } : { areas: [] };
    if (areas.length && !body.consent) {
      S.showError(form, { status: 400, field: 'consent', message: t('wmErrConsent') }, FIELDS);
      return Promise.resolve();
    }
    if (areas.length && !body.email) {
      S.showError(form, { status: 400, field: 'email', message: t('wmErrEmail') }, FIELDS);
      return Promise.resolve();
    }
    return VK.api('PUT', '/api/v1/staff/walk-subscription', body).then(function (j) {
      S.clearErrors(form);
      st.current = j;
      if (!areas.length) {
        document.querySelectorAll('#follow-form input[data-area]').forEach(function (c) { c.checked = false; });
        $('m-consent').checked = false;
      }
      renderCurrent();
      paint();
      S.announce(areas.length ? t('wmSaved', { n: areas.length }) : t('wmStopped'));
      $('now-heading').focus();
    }, function (err) { S.showApiError(form, err, FIELDS); });
  }

  function onSignedIn(me) {
    if (me.role !== 'council' && me.role !== 'admin') {
      $('follow').hidden = true;
      $('council-only').hidden = false;
      return null;
    }
    return Promise.all([VK.getJSON('/api/v1/staff/walk-subscription'), VK.getJSON('/api/v1/config'), loadAreas()])
      .then(function (r) {
        st.current = r[0];
        st.config = r[1];
        renderList();
        renderCurrent();
        fillForm();
        makeMap();
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('follow-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var areas = chosen();
      if (!areas.length) {
        S.showError($('follow-form'), { status: 400, field: 'areas', message: t('wmErrAreas') }, FIELDS);
        return;
      }
      save(areas);
    });
    $('m-stop').addEventListener('click', function () { save([]); });
    S.start({
      bundles: ['staffwalk'],
      onSignedIn: onSignedIn,
      onLanguage: function () {
        if (!st.areas.length) return;
        renderList();
        renderCurrent();
        if (st.map) st.zoom = VK.map.zoomControl(st.map, st.zoom);
      }
    });
  });
})();
