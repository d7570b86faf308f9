/*
 * lib/staff-walk.js — what the staff and council pages of accessibility
 * walks share (docs/walks.md): the checklist and units, the names of
 * grades, types, groups, measures and statuses in the page's language,
 * API errors in the page's words, a finding's measurements with their
 * verdicts, its photos and its consensus as DOM, and which status changes
 * a role may make. Load after lib/vk.js and lib/staff.js.
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, el = VK.el, localName = VK.localName;

  var ref = { checklist: null, units: [], districts: [] };

  var STATUSES = ['open', 'planned', 'fixed', 'verified', 'rejected'];
  var GRADES = ['vaara', 'este', 'haitta'];
  var VOTES = ['agree', 'disagree', 'unsure'];
  var HOWS = ['walk', 'photo', 'visit'];
  var HANDLERS = ['moderator', 'planner', 'admin'];

  // docs/walks.md "Status workflow": from → [{to, who}]. The server
  // decides; this only keeps the choices to those that can succeed.
  var TRANSITIONS = {
    open: [{ to: 'planned', who: HANDLERS }, { to: 'fixed', who: HANDLERS }, { to: 'rejected', who: HANDLERS }],
    planned: [{ to: 'planned', who: HANDLERS }, { to: 'fixed', who: HANDLERS }, { to: 'rejected', who: HANDLERS }],
    fixed: [{ to: 'verified', who: ['council', 'admin'] }, { to: 'open', who: ['council'].concat(HANDLERS) }],
    rejected: [{ to: 'open', who: HANDLERS }],
    verified: [{ to: 'open', who: HANDLERS }]
  };

  function load() {
    if (ref.checklist) return Promise.resolve(ref);
    return Promise.all([VK.getJSON('/api/v1/walks/checklist'), VK.getJSON('/api/v1/units'),
      VK.getJSON('/api/v1/districts')]).then(function (r) {
      ref.checklist = r[0];
      ref.units = r[1].units || [];
      ref.districts = r[2].features || [];
      return ref;
    });
  }

  function byKey(list, key) { return (list || []).filter(function (x) { return x.key === key; })[0]; }

  function gradeName(k) { var g = ref.checklist && byKey(ref.checklist.grades, k); return g ? localName(g.label) : (k || '–'); }
  function typeName(k) { var x = ref.checklist && byKey(ref.checklist.types, k); return x ? localName(x.label) : (k || '–'); }
  function groupName(k) { var x = ref.checklist && byKey(ref.checklist.groups, k); return x ? localName(x.label) : k; }
  function surfaceName(k) { var x = ref.checklist && byKey(ref.checklist.surfaces, k); return x ? localName(x.label) : k; }
  function measure(k) { return (ref.checklist && ref.checklist.measures[k]) || { unit: '', label: k }; }
  function measureLabel(k) { return localName(measure(k).label) || k; }
  function unitName(code) {
    var u = ref.units.filter(function (x) { return x.code === code; })[0];
    return u ? localName(u.name) : (code || '–');
  }
  function districtName(code) {
    var d = ref.districts.filter(function (x) { return x.properties.code === code; })[0];
    return d ? localName(d.properties.name) : (code || t('noDistrict'));
  }
  function statusName(s) { return t('wfs_' + s); }
  function levelName(l) { return l ? t('level_' + l) : '–'; }
  function voteName(v) { return t('vote_' + v); }
  function groupsText(gs) { return (gs && gs.length) ? gs.map(groupName).join(', ') : t('wsNone'); }
  function fmtDate(iso) { return iso ? VK.formatDate(iso.length === 10 ? iso + 'T12:00:00Z' : iso) : '–'; }

  // Where a finding is, in words for those without the map: "lat, lon"
  // of a point, or of a stretch's ends.
  function placeText(g) {
    if (!g || !g.coordinates) return '–';
    var ll = function (c) { return c[1].toFixed(5) + ', ' + c[0].toFixed(5); };
    if (g.type === 'Point') return ll(g.coordinates);
    if (g.type === 'LineString') return t('wsStretch', { from: ll(g.coordinates[0]), to: ll(g.coordinates[g.coordinates.length - 1]) });
    return g.type;
  }

  // An API failure in the page's words: the server's message is English,
  // so the codes (and code+field pairs) the page knows get their own
  // sentence; vars fill in {from} and {to} of a refused transition.
  function errorText(err, vars) {
    if (!err || !err.status) return t('errNetwork');
    if (err.status >= 500) return t('errServer');
    var keys = ['wsErr_' + err.code + '_' + err.field, 'wsErr_' + err.code];
    for (var i = 0; i < keys.length; i++) {
      var s = t(keys[i], vars);
      if (s !== keys[i]) return s;
    }
    if (err.status === 403) return t('errForbidden');
    return err.message || t('errGeneric');
  }

  // VKStaff.showError with the text in the page's language.
  function showError(form, err, fields, vars) {
    if (err && err.status === 401) { window.VKStaff.showError(form, err, fields); return; }
    window.VKStaff.showError(form, { status: err && err.status ? 400 : 0, code: err && err.code,
      field: err && err.field, message: errorText(err, vars) }, fields);
  }

  function number(v, unit) { return VK.formatNumber(v, 2) + (unit ? '\u00a0' + unit : ''); }

  // The limits of a verdict in words: "≤ 40 mm, este (suraku-6: clause)".
  function limitText(l, unit) {
    var parts = [];
    if (l.min !== undefined && l.min !== null) parts.push('≥ ' + number(l.min, unit));
    if (l.max !== undefined && l.max !== null) parts.push('≤ ' + number(l.max, unit));
    var src = ref.checklist && ref.checklist.sources[l.source];
    return parts.join(', ') + ' – ' + gradeName(l.grade) + (l.breached ? ' (' + t('wsBreached') + ')' : '') +
      ' – ' + (src ? src.title : l.source) + (l.clause ? ': ' + l.clause : '');
  }

  // <ul> of a finding's measurements, each with its verdict and limits.
  function measurementsList(p) {
    var keys = Object.keys(p.measurements || {});
    if (!keys.length) return el('p', 'hint', t('wsNoMeasurements'));
    var ul = el('ul', 'ws-measures');
    keys.forEach(function (k) {
      var m = measure(k), v = (p.verdicts || {})[k] || {};
      var li = el('li');
      li.setAttribute('data-measure', k);
      var verdict = v.verdict === 'ok' ? t('wsVerdictOk') : v.verdict === 'no_threshold' ? t('wsVerdictNone')
        : v.verdict ? gradeName(v.verdict) : '';
      li.appendChild(el('span', 'ws-measure-value', measureLabel(k) + ': ' + number(p.measurements[k], m.unit) +
        (verdict ? ' – ' + verdict : '')));
      if (v.limits && v.limits.length) {
        var lu = el('ul', 'ws-limits');
        v.limits.forEach(function (l) { lu.appendChild(el('li', null, limitText(l, m.unit))); });
        li.appendChild(lu);
      }
      ul.appendChild(li);
    });
    return ul;
  }

  // The photos as thumbnails linking to the display size.
  function photosList(p, what) {
    var photos = p.photos || [];
    if (!photos.length) return el('p', 'hint', t('wsNoPhotos'));
    var ul = el('ul', 'ws-photos');
    photos.forEach(function (ph, i) {
      var li = el('li');
      var a = el('a', { href: ph.url });
      a.appendChild(el('img', { src: ph.thumb, alt: t('wsPhotoAlt', { n: i + 1, what: what }), loading: 'lazy' }));
      li.appendChild(a);
      ul.appendChild(li);
    });
    return ul;
  }

  // "Agree (2 agree, 0 disagree, 1 unsure) – grade Barrier".
  function consensusText(c) {
    if (!c || !c.reviews) return t('wsConsensusNone');
    return t('wsConsensus', { result: t('result_' + c.result), agree: c.agree, disagree: c.disagree,
      unsure: c.unsure, n: c.reviews, grade: gradeName(c.grade) });
  }

  // The changes `role` may make from `status`, in the table's order.
  function transitions(status, role) {
    return (TRANSITIONS[status] || []).filter(function (x) { return x.who.indexOf(role) >= 0; })
      .map(function (x) { return x.to; });
  }

  // A finding's id is a UUID its maker chooses (docs/walks.md): a retry
  // of the same body under it is answered as the first time.
  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function canReview(role) { return role === 'council' || role === 'admin'; }

  // A <select>'s options from [value, text] pairs; `keep` stays chosen.
  function fillSelect(sel, pairs, keep) {
    sel.textContent = '';
    pairs.forEach(function (p) { sel.appendChild(window.VKStaff.option(p[0], p[1], p[0] === keep)); });
  }

  VK.walkStaff = {
    STATUSES: STATUSES, GRADES: GRADES, VOTES: VOTES, HOWS: HOWS,
    ref: ref, load: load,
    gradeName: gradeName, typeName: typeName, groupName: groupName, surfaceName: surfaceName,
    measure: measure, measureLabel: measureLabel, unitName: unitName, districtName: districtName, statusName: statusName,
    levelName: levelName, voteName: voteName, placeText: placeText, groupsText: groupsText, fmtDate: fmtDate,
    errorText: errorText, showError: showError, measurementsList: measurementsList,
    photosList: photosList, consensusText: consensusText, transitions: transitions,
    canReview: canReview, fillSelect: fillSelect, uuid: uuid
  };
})();
