/*
 * staff-survey-results.js — staff-survey-results.html?slug=S: the planner's
 * analysis of one survey (docs/survey-results.md): the summary (respondents,
 * completion, median time, answers without the map), the timeline, every
 * question's figures as a chart with its table, map questions on a map with
 * the hexagon grid and the counts per district; cross-filters (answers,
 * district, dates) kept in the address, so every figure, the downloads and
 * a shared link agree. Below: the publication settings with "what we did"
 * and the moderation of free texts (docs/survey-publish.md).
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, SS = VK.surveyStaff, C = VK.charts, R = VK.results;
  var t = VK.t, $ = VK.$, el = VK.el, localName = VK.localName;

  var SIZES = [100, 250, 500, 1000, 2000, 0];
  var FILTERABLE = ['single-choice', 'multi-choice', 'place-choice', 'scale', 'consent'];
  var MAP_TYPES = ['map-point', 'map-line', 'map-area', 'geobudget'];
  var STATUSES = ['analysing', 'decided', 'implemented'];
  var PUB_FIELDS = { results_from: 'p-from', k: 'p-k', hex_size: 'p-hex', status: 'p-status',
    'what_we_did.fi': 'p-what-fi', 'what_we_did.sv': 'p-what-sv', 'what_we_did.en': 'p-what-en' };
  var FILTER_FIELDS = { filter: 'f-question', district: 'f-district', from: 'f-from', to: 'f-to', size: 'f-size' };

  var st = {
    slug: null, writer: false, config: null, districts: [], distByCode: {}, places: {},
    // filter: question key → [values]; the rest as the API's parameters.
    f: { filter: {}, district: '', from: '', to: '', size: 250 },
    doc: null, base: null, seq: 0, maps: [], pub: null, texts: null, mstate: 'pending'
  };

  function base(tail) { return '/api/v1/staff/surveys/' + encodeURIComponent(st.slug) + (tail || ''); }

  /* ---------- filters in the address ---------- */

  function filterString() {
    return Object.keys(st.f.filter).filter(function (k) { return st.f.filter[k].length; }).map(function (k) {
      return k + ':' + st.f.filter[k].join('|');
    }).join(',');
  }

  function query(extra) {
    var q = new URLSearchParams();
    var fs = filterString();
    if (fs) q.set('filter', fs);
    if (st.f.district) q.set('district', st.f.district);
    if (st.f.from) q.set('from', st.f.from);
    if (st.f.to) q.set('to', st.f.to);
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    var s = q.toString();
    return s ? '?' + s : '';
  }

  function readURL() {
    var q = new URLSearchParams(location.search);
    st.slug = q.get('slug');
    st.f.filter = {};
    (q.get('filter') || '').split(',').forEach(function (part) {
      var i = part.indexOf(':');
      if (i > 0) st.f.filter[part.slice(0, i)] = part.slice(i + 1).split('|').filter(Boolean);
    });
    st.f.district = q.get('district') || '';
    st.f.from = q.get('from') || '';
    st.f.to = q.get('to') || '';
    var size = parseInt(q.get('size'), 10);
    st.f.size = SIZES.indexOf(size) >= 0 ? size : 250;
  }

  function writeURL() {
    var q = query(st.f.size !== 250 ? { size: st.f.size } : null);
    var p = new URLSearchParams(q.slice(1));
    var u = new URLSearchParams();
    u.set('slug', st.slug);
    p.forEach(function (v, k) { u.set(k, v); });
    history.replaceState(null, '', location.pathname + '?' + u.toString() + location.hash);
  }

  /* ---------- labels ---------- */

  function questions() { return (st.base && st.base.questions) || []; }

  function questionByKey(k) {
    var qs = questions();
    for (var i = 0; i < qs.length; i++) if (qs[i].key === k) return qs[i];
    return null;
  }

  function qText(q) { return localName(q.text) || q.key; }

  // The values a filter on q can take: [[value, words]].
  function filterValues(q) {
    var out = [];
    if (q.type === 'scale') {
      for (var v = q.min; v <= q.max; v++) out.push([String(v), VK.formatNumber(v)]);
    } else if (q.type === 'consent') {
      out.push(['true', t('rsConsentGiven')]);
      return out;
    } else {
      (q.choices || []).forEach(function (c) { out.push([c.key, localName(c.text) || c.key]); });
      if (q.other) out.push(['_other', t('rsOther')]);
    }
    out.push(['_skip', t('rsSkipped')]);
    return out;
  }

  function valueWords(q, v) {
    var found = filterValues(q).filter(function (p) { return p[0] === v; })[0];
    return found ? found[1] : v;
  }

  function districtName(code) {
    if (code === null || code === undefined) return t('rsNoDistrict');
    var d = st.distByCode[code];
    return d ? localName(d.properties.name) : code;
  }

  /* ---------- the filter form ---------- */

  function option(value, text, sel) { return S.option(value, text, sel); }

  function fillFilterForm() {
    var qs = questions().filter(function (q) { return FILTERABLE.indexOf(q.type) >= 0 && !q.personal; });
    var sel = $('f-question'), keep = sel.value;
    sel.textContent = '';
    sel.appendChild(option('', t('rsChooseQuestion')));
    qs.forEach(function (q) { sel.appendChild(option(q.key, qText(q), q.key === keep)); });
    fillValues();

    var ds = $('f-district');
    ds.textContent = '';
    ds.appendChild(option('', t('rsAllDistricts')));
    st.districts.slice().sort(function (a, b) {
      return localName(a.properties.name).localeCompare(localName(b.properties.name), VK.LOCALES[VK.lang()]);
    }).forEach(function (d) {
      ds.appendChild(option(d.properties.code, localName(d.properties.name), d.properties.code === st.f.district));
    });
    $('f-from').value = st.f.from;
    $('f-to').value = st.f.to;
    var ss = $('f-size');
    ss.textContent = '';
    SIZES.forEach(function (s) { ss.appendChild(option(String(s), s ? VK.formatNumber(s) + ' m' : t('rsNoHex'), s === st.f.size)); });
    renderActive();
  }

  // The chosen question's values as checkboxes, ticked as the filter has them.
  function fillValues() {
    var q = questionByKey($('f-question').value);
    var box = $('f-values-list');
    box.textContent = '';
    $('f-values').hidden = !q;
    if (!q) return;
    $('f-values-legend').textContent = t('rsFilterValues', { question: qText(q) });
    var have = st.f.filter[q.key] || [];
    filterValues(q).forEach(function (p, i) {
      var id = 'fv-' + i;
      var row = el('div', 'checkbox');
      var cb = el('input', { type: 'checkbox', id: id, value: p[0] });
      cb.checked = have.indexOf(p[0]) >= 0;
      row.appendChild(cb);
      row.appendChild(el('label', { for: id }, p[1]));
      box.appendChild(row);
    });
  }

  function renderActive() {
    var ul = $('active-list');
    ul.textContent = '';
    var any = false;
    Object.keys(st.f.filter).forEach(function (k) {
      var q = questionByKey(k);
      if (!st.f.filter[k].length) return;
      any = true;
      var words = (q ? qText(q) : k) + ': ' + st.f.filter[k].map(function (v) { return q ? valueWords(q, v) : v; }).join(', ');
      var li = el('li');
      li.appendChild(el('span', null, words + ' '));
      var b = el('button', { type: 'button', class: 'button button-secondary button-small' }, t('rsRemoveFilter'));
      b.appendChild(el('span', 'visually-hidden', ' ' + words));
      b.addEventListener('click', function () {
        delete st.f.filter[k];
        apply(true);
      });
      li.appendChild(b);
      ul.appendChild(li);
    });
    $('active-filters').hidden = !any;
  }

  function readForm() {
    var q = $('f-question').value;
    if (q) {
      var vals = [];
      $('f-values-list').querySelectorAll('input:checked').forEach(function (c) { vals.push(c.value); });
      if (vals.length) st.f.filter[q] = vals; else delete st.f.filter[q];
    }
    st.f.district = $('f-district').value;
    st.f.from = $('f-from').value;
    st.f.to = $('f-to').value;
    st.f.size = parseInt($('f-size').value, 10) || 0;
  }

  function apply(focusFigures) {
    writeURL();
    renderActive();
    return loadResults().then(function (ok) {
      if (ok && focusFigures) {
        S.announce(t('rsUpdated', { n: st.doc.n }));
      }
    });
  }

  /* ---------- loading ---------- */

  function clearFilterErrors() { S.clearErrors($('filters')); }

  function loadResults() {
    var my = ++st.seq;
    $('figures-status').textContent = t('rsLoading');
    $('dl-csv').href = base('/results.csv') + query();
    $('dl-gpkg').href = base('/results.gpkg') + query(st.f.size ? { size: st.f.size } : null);
    return VK.getJSON(base('/results') + query({ size: st.f.size })).then(function (doc) {
      if (my !== st.seq) return false;
      clearFilterErrors();
      st.doc = doc;
      if (!st.base) st.base = doc;
      $('figures-status').textContent = t('rsShowing', { n: VK.formatNumber(doc.n), total: VK.formatNumber(doc.total) });
      render();
      return true;
    }, function (err) {
      if (my !== st.seq) return false;
      $('figures-status').textContent = '';
      if (err.status === 401) { S.signedOut(); return false; }
      if (err.status === 400 && FILTER_FIELDS[err.field]) {
        S.showError($('filters'), err, FILTER_FIELDS);
        return false;
      }
      var le = $('load-error');
      le.textContent = err.status === 404 ? t('rsNoResults') : SS.errorText(err);
      le.hidden = false;
      return false;
    });
  }

  /* ---------- figures ---------- */

  function clearMaps() {
    st.maps.forEach(function (m) { m.map.remove(); });
    st.maps = [];
  }

  function dl(items) {
    var d = el('dl', 'details rs-summary');
    items.forEach(function (i) {
      d.appendChild(el('dt', null, i[0]));
      var dd = el('dd', null, i[1]);
      if (i[2] !== undefined) dd.setAttribute('data-value', i[2] === null ? '' : String(i[2]));
      if (i[3]) dd.id = i[3];
      d.appendChild(dd);
    });
    return d;
  }

  function renderSummary() {
    var s = st.doc.summary || {}, box = $('summary');
    box.textContent = '';
    box.appendChild(el('h3', null, t('rsSummaryH')));
    var comp = s.completion || {}, secs = s.seconds || {}, wm = s.without_map || {};
    box.appendChild(dl([
      [t('rsRespondents'), t('rsNOfTotal', { n: VK.formatNumber(st.doc.n), total: VK.formatNumber(st.doc.total) }), st.doc.n, 'sum-n'],
      [t('rsCompletion'), R.share(comp.rate) + ' (' + t('rsDrafts', { n: VK.formatNumber(comp.drafts || 0) }) + ')', comp.rate, 'sum-completion'],
      [t('rsMedianTime'), secs.median === null || secs.median === undefined ? '–' : t('rsMinutes', { m: VK.formatNumber(secs.median / 60, 1) }), secs.median, 'sum-seconds'],
      [t('rsWithoutMap'), wm.of ? R.share(wm.share) + ' (' + t('rsNOfTotal', { n: VK.formatNumber(wm.n), total: VK.formatNumber(wm.of) }) + ')' : '–', wm.n, 'sum-without-map']
    ]));
    if (s.languages && s.languages.length) {
      box.appendChild(C.bars({ title: t('rsLanguages'), headLabel: t('rsLanguage'), valueLabel: t('rsRespondents'),
        items: s.languages.map(function (l) { return { key: l.key, label: t('rsLang_' + l.key), value: l.n, display: VK.formatNumber(l.n) }; }) }));
    }
  }

  function renderTimeline() {
    var box = $('timeline');
    box.textContent = '';
    box.appendChild(el('h3', null, t('rsTimelineH')));
    if (!st.doc.timeline || !st.doc.timeline.length) { box.appendChild(el('p', null, t('rsNone'))); return; }
    box.appendChild(C.timeline({ title: t('rsTimelineH'), days: st.doc.timeline, headLabel: t('rsDate'), valueLabel: t('rsResponses') }));
  }

  function nShare(n, share) { return VK.formatNumber(n) + ' (' + R.share(share) + ')'; }

  function choiceFigure(q) {
    var items = (q.choices || []).map(function (c) {
      return { key: c.key, label: localName(c.text) || c.key, value: c.n, display: nShare(c.n, c.share), share: c.share };
    });
    if (q.other) items.push({ key: '_other', label: t('rsOther'), value: q.other.n, display: nShare(q.other.n, q.other.share), share: q.other.share });
    var rows = items.map(function (i) {
      return { head: i.label, key: i.key, cells: [{ text: VK.formatNumber(i.value), value: i.value }, { text: R.share(i.share), value: i.share }] };
    });
    var node = C.bars({ title: qText(q), items: items, cols: [{ label: t('rsAnswer') }, { label: t('rsRespondents'), num: true }, { label: t('rsShare'), num: true }], rows: rows });
    var frag = document.createDocumentFragment();
    frag.appendChild(node);
    if (q.type === 'multi-choice' || q.type === 'place-choice') frag.appendChild(el('p', 'hint', t('rsPicks', { n: VK.formatNumber(q.picks || 0) })));
    if (q.other && q.other.texts && q.other.texts.length) frag.appendChild(textList(t('rsOtherTexts'), q.other.texts));
    return frag;
  }

  function textList(title, texts) {
    var box = el('div', 'rs-textbox');
    box.appendChild(el('h4', null, title));
    var ul = el('ul', 'rs-texts');
    texts.forEach(function (x) {
      var li = el('li');
      li.appendChild(el('p', { class: 'sv-para', lang: x.language || '' }, x.text));
      var meta = [];
      if (x.submitted) meta.push(VK.formatDate(x.submitted, true));
      meta.push(t('rsModState_' + (x.moderation || 'pending')));
      li.appendChild(el('p', 'hint', meta.join(' · ')));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    return box;
  }

  function scaleFigure(q) {
    var items = (q.distribution || []).map(function (d) {
      return { key: String(d.value), label: VK.formatNumber(d.value), value: d.n, display: nShare(d.n, d.share), share: d.share };
    });
    var frag = document.createDocumentFragment();
    frag.appendChild(el('p', 'rs-stats', t('rsMeanMedian', { mean: R.number(q.mean), median: R.number(q.median) })));
    frag.appendChild(C.columns({ title: qText(q), items: items,
      cols: [{ label: t('rsValue') }, { label: t('rsRespondents'), num: true }, { label: t('rsShare'), num: true }],
      rows: items.map(function (i) { return { head: i.label, key: i.key, cells: [{ text: VK.formatNumber(i.value), value: i.value }, { text: R.share(i.share), value: i.share }] }; }) }));
    return frag;
  }

  function numberFigure(q) {
    var items = (q.distribution || []).map(function (d) {
      var lab = d.to === d.from + 1 ? VK.formatNumber(d.from) : VK.formatNumber(d.from, 2) + '–' + VK.formatNumber(d.to, 2);
      return { key: String(d.from), label: lab, value: d.n, display: VK.formatNumber(d.n) };
    });
    var frag = document.createDocumentFragment();
    frag.appendChild(el('p', 'rs-stats', t('rsMeanMedian', { mean: R.number(q.mean), median: R.number(q.median) }) + ' ' +
      t('rsMinMax', { min: R.number(q.min_value), max: R.number(q.max_value) })));
    frag.appendChild(C.columns({ title: qText(q), items: items, headLabel: t('rsValue'), valueLabel: t('rsRespondents') }));
    return frag;
  }

  function dateFigure(q) {
    var items = (q.distribution || []).map(function (d) {
      return { key: d.value, label: VK.formatDate(d.value), value: d.n, display: VK.formatNumber(d.n) };
    });
    var frag = document.createDocumentFragment();
    frag.appendChild(el('p', 'rs-stats', t('rsMedianDate', { median: q.median ? VK.formatDate(q.median) : '–' })));
    frag.appendChild(C.columns({ title: qText(q), items: items, headLabel: t('rsDate'), valueLabel: t('rsRespondents') }));
    return frag;
  }

  function rankingFigure(q) {
    var items = (q.items || []).map(function (i) {
      return { key: i.key, label: localName(i.text) || i.key, value: i.borda, display: t('rsBordaPoints', { n: VK.formatNumber(i.borda) }), it: i };
    });
    var rows = items.map(function (i) {
      return { head: i.label, key: i.key, cells: [
        { text: VK.formatNumber(i.it.borda), value: i.it.borda },
        { text: R.number(i.it.mean_rank), value: i.it.mean_rank },
        { text: VK.formatNumber(i.it.n), value: i.it.n },
        { text: (i.it.ranks || []).map(function (n) { return VK.formatNumber(n); }).join(' / ') }] };
    });
    return C.bars({ title: qText(q) + ' — ' + t('rsBorda'), items: items,
      cols: [{ label: t('rsItem') }, { label: t('rsBorda'), num: true }, { label: t('rsMeanRank'), num: true },
        { label: t('rsRespondents'), num: true }, { label: t('rsRanks') }], rows: rows });
  }

  function matrixFigure(q) {
    var cols = (q.columns || []).map(function (c) { return { key: c.key, label: localName(c.text) || c.key }; });
    var rows = (q.rows || []).map(function (r) {
      var by = {};
      (r.cells || []).forEach(function (c) { by[c.column] = c; });
      return { key: r.key, label: localName(r.text) || r.key, cells: cols.map(function (c) {
        var cell = by[c.key] || { n: 0, share: 0 };
        return { value: cell.n, display: nShare(cell.n, cell.share) };
      }) };
    });
    return C.stacked({ title: qText(q), columns: cols, rows: rows, headLabel: t('rsRow') });
  }

  function budgetFigure(q) {
    var items = (q.items || []).map(function (i) {
      return { key: i.key, label: localName(i.text) || i.key, value: i.n, display: nShare(i.n, i.share), it: i };
    });
    var rows = items.map(function (i) {
      return { head: i.label, key: i.key, cells: [
        { text: VK.formatNumber(i.it.n), value: i.it.n }, { text: R.share(i.it.share), value: i.it.share },
        { text: VK.formatNumber(i.it.count), value: i.it.count }, { text: VK.formatNumber(i.it.amount), value: i.it.amount },
        { text: R.number(i.it.mean_amount), value: i.it.mean_amount }] };
    });
    var frag = document.createDocumentFragment();
    frag.appendChild(C.bars({ title: qText(q), items: items,
      cols: [{ label: t('rsItem') }, { label: t('rsRespondents'), num: true }, { label: t('rsShare'), num: true },
        { label: t('rsUnits'), num: true }, { label: t('rsAmount'), num: true }, { label: t('rsMeanAmount'), num: true }], rows: rows }));
    if (q.basket) {
      var names = {};
      items.forEach(function (i) { names[i.key] = i.label; });
      var p = el('div', 'rs-basket');
      p.appendChild(el('h4', null, t('rsBasket', { cost: VK.formatNumber(q.basket.cost), total: VK.formatNumber(q.basket.total) })));
      var ul = el('ul');
      (q.basket.items || []).forEach(function (k) { ul.appendChild(el('li', null, names[k] || k)); });
      p.appendChild(ul);
      p.appendChild(el('p', 'hint', t('rsBasketHint')));
      frag.appendChild(p);
    }
    return frag;
  }

  function mapFigure(q, section) {
    var frag = document.createDocumentFragment();
    var loc = q.located || {};
    frag.appendChild(dl([
      [t('rsFeatures'), VK.formatNumber(q.features || 0), q.features],
      [t('rsLocated'), ['geometry', 'district', 'place', 'words'].map(function (k) {
        return t('rsLocated_' + k) + ' ' + VK.formatNumber(loc[k] || 0);
      }).join(', ')],
      [t('rsWithoutMap'), q.without_map ? nShare(q.without_map.n, q.without_map.share) : '–']
    ]));
    if (q.hex && st.f.size) {
      var id = 'map-' + q.key;
      var wrap = el('div', 'rs-map-wrap');
      var mapBox = el('div', { id: id, class: 'staff-map rs-map', role: 'region', 'aria-label': t('rsMapOf', { question: qText(q) }) });
      var legend = el('div', 'rs-legend-box');
      wrap.appendChild(mapBox);
      wrap.appendChild(legend);
      frag.appendChild(wrap);
      // Made once the section is in the page (Leaflet needs its size).
      section.afterInsert = function () {
        var m = R.hexMap(mapBox, legend, st.config, st.districts, 'n');
        st.maps.push(m);
        m.setGrid(R.hexFeatures(q.hex.cells, q.hex.size, 'n', 'n'));
      };
      frag.appendChild(C.table(t('rsHexTable', { question: qText(q), size: VK.formatNumber(q.hex.size) }),
        [{ label: t('rsHexCell') }, { label: t('rsRespondents'), num: true }, { label: t('rsFeatures'), num: true }],
        (q.hex.cells || []).slice().sort(function (a, b) { return b.n - a.n; }).slice(0, 20).map(function (c) {
          return { head: Math.round(c.x) + ', ' + Math.round(c.y), key: c.q + '/' + c.r,
            cells: [{ text: VK.formatNumber(c.n), value: c.n }, { text: VK.formatNumber(c.features), value: c.features }] };
        })));
    }
    frag.appendChild(C.bars({ title: t('rsByDistrict', { question: qText(q) }),
      items: (q.districts || []).map(function (d) {
        return { key: d.code === null ? '' : d.code, label: d.name ? localName(d.name) : districtName(d.code), value: d.n,
          display: t('rsNFeatures', { n: VK.formatNumber(d.n), f: VK.formatNumber(d.features) }), d: d };
      }),
      cols: [{ label: t('rsDistrict') }, { label: t('rsRespondents'), num: true }, { label: t('rsFeatures'), num: true }],
      rows: (q.districts || []).map(function (d) {
        return { head: d.name ? localName(d.name) : districtName(d.code), key: d.code === null ? '' : d.code,
          cells: [{ text: VK.formatNumber(d.n), value: d.n }, { text: VK.formatNumber(d.features), value: d.features }] };
      }) }));
    if (q.places && q.places.length) {
      frag.appendChild(C.table(t('rsByPlace'), [{ label: t('rsPlace') }, { label: t('rsRespondents'), num: true }, { label: t('rsFeatures'), num: true }],
        q.places.map(function (p) { return { head: st.places[p.key] ? localName(st.places[p.key].name) : p.key, key: p.key, cells: [{ text: VK.formatNumber(p.n), value: p.n }, { text: VK.formatNumber(p.features), value: p.features }] }; })));
    }
    (q.followups || []).forEach(function (fu) { frag.appendChild(followupFigure(fu)); });
    return frag;
  }

  // A follow-up: its own figures over the features, then per district.
  function followupFigure(fu) {
    var box = el('div', 'rs-followup');
    box.appendChild(el('h4', null, t('rsFollowup', { question: qText(fu) })));
    box.appendChild(el('p', 'hint', t('rsFollowupN', { n: VK.formatNumber(fu.n), f: VK.formatNumber(fu.features || 0) })));
    var body = figureOf(fu, box);
    if (body) box.appendChild(body);
    var bd = fu.by_district || [];
    if (bd.length) {
      var keys = [];
      bd.forEach(function (d) { Object.keys(d.choices || {}).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); }); });
      var names = {};
      (fu.choices || []).forEach(function (c) { names[c.key] = localName(c.text) || c.key; });
      names._other = t('rsOther');
      var hasMean = bd.some(function (d) { return d.mean !== undefined; });
      var cols = [{ label: t('rsDistrict') }, { label: t('rsRespondents'), num: true }, { label: t('rsFeatures'), num: true }];
      keys.forEach(function (k) { cols.push({ label: names[k] || k, num: true }); });
      if (hasMean) cols.push({ label: t('rsMean'), num: true }, { label: t('rsMedian'), num: true });
      box.appendChild(C.table(t('rsFollowupByDistrict', { question: qText(fu) }), cols, bd.map(function (d) {
        var cells = [{ text: VK.formatNumber(d.n), value: d.n }, { text: VK.formatNumber(d.features || 0), value: d.features }];
        keys.forEach(function (k) { var n = (d.choices || {})[k] || 0; cells.push({ text: VK.formatNumber(n), value: n }); });
        if (hasMean) cells.push({ text: R.number(d.mean), value: d.mean }, { text: R.number(d.median), value: d.median });
        return { head: d.name ? localName(d.name) : districtName(d.code), key: d.code === null ? '' : d.code, cells: cells };
      })));
    }
    return box;
  }

  function figureOf(q, section) {
    if (q.personal) return el('p', 'hint', t('rsPersonal'));
    switch (q.type) {
      case 'single-choice': case 'multi-choice': case 'place-choice': return choiceFigure(q);
      case 'scale': return scaleFigure(q);
      case 'number': return numberFigure(q);
      case 'date': return dateFigure(q);
      case 'text': return q.texts && q.texts.length ? textList(t('rsTexts', { shown: q.texts.length, n: VK.formatNumber(q.n) }), q.texts) : null;
      case 'ranking': return rankingFigure(q);
      case 'matrix': return matrixFigure(q);
      case 'budget': return budgetFigure(q);
      case 'geobudget': {
        var f = document.createDocumentFragment();
        f.appendChild(budgetFigure(q));
        f.appendChild(mapFigure(q, section));
        return f;
      }
      default: return MAP_TYPES.indexOf(q.type) >= 0 ? mapFigure(q, section) : null;
    }
  }

  function renderQuestions() {
    var box = $('questions');
    box.textContent = '';
    var after = [];
    (st.doc.questions || []).forEach(function (q) {
      var sec = el('section', { class: 'rs-question', id: 'rq-' + q.key, 'data-key': q.key, 'aria-labelledby': 'rq-' + q.key + '-h' });
      sec.appendChild(el('h3', { id: 'rq-' + q.key + '-h' }, qText(q)));
      var n = el('p', 'rs-n', t('rsAnswered', { n: VK.formatNumber(q.n), skipped: VK.formatNumber(q.skipped || 0) }));
      n.setAttribute('data-value', String(q.n));
      sec.appendChild(n);
      var body = figureOf(q, sec);
      if (body) sec.appendChild(body);
      box.appendChild(sec);
      if (sec.afterInsert) after.push(sec.afterInsert);
    });
    after.forEach(function (f) { f(); });
  }

  function render() {
    clearMaps();
    renderSummary();
    renderTimeline();
    renderQuestions();
  }

  /* ---------- publication ---------- */

  function linkRow(l, i) {
    var fs = el('fieldset', 'card rs-link');
    fs.appendChild(el('legend', null, t('rsLinkN', { n: i + 1 })));
    function field(id, label, value, type) {
      var f = el('div', 'field');
      f.appendChild(el('label', { for: id }, label));
      var inp = el('input', { type: type || 'text', id: id, 'aria-describedby': id + '-error' });
      inp.value = value || '';
      f.appendChild(inp);
      var e = el('p', { id: id + '-error', class: 'field-error' });
      e.hidden = true;
      f.appendChild(e);
      fs.appendChild(f);
    }
    field('p-link-' + i + '-url', t('rsLinkUrl'), l.url, 'url');
    VK.LANGS.forEach(function (lang) { field('p-link-' + i + '-' + lang, t('rsLinkTitle_' + lang), (l.title || {})[lang]); });
    var rm = el('button', { type: 'button', class: 'button button-secondary button-small' }, t('rsRemoveLink'));
    rm.addEventListener('click', function () {
      var links = readLinks();
      links.splice(i, 1);
      renderLinks(links);
      var next = $('p-link-' + Math.min(i, links.length - 1) + '-url') || $('p-add-link');
      next.focus();
    });
    fs.appendChild(rm);
    return fs;
  }

  function renderLinks(links) {
    var box = $('p-links');
    box.textContent = '';
    links.forEach(function (l, i) { box.appendChild(linkRow(l, i)); });
  }

  function readLinks() {
    var out = [];
    for (var i = 0; $('p-link-' + i + '-url'); i++) {
      var title = {};
      VK.LANGS.forEach(function (lang) { var v = $('p-link-' + i + '-' + lang).value.trim(); if (v) title[lang] = v; });
      out.push({ url: $('p-link-' + i + '-url').value.trim(), title: title });
    }
    return out;
  }

  function fillPublication() {
    var p = st.pub;
    if (!p) return;
    $('p-results').checked = !!p.results;
    $('p-from').value = p.results_from || '';
    $('p-k').value = p.k;
    $('p-snap').checked = !!p.snap;
    $('p-hex').value = p.hex_size;
    var sel = $('p-status');
    sel.textContent = '';
    sel.appendChild(option('', t('rsStatusNone'), !p.status));
    STATUSES.forEach(function (s) { sel.appendChild(option(s, R.statusName(s), p.status === s)); });
    VK.LANGS.forEach(function (l) { $('p-what-' + l).value = (p.what_we_did || {})[l] || ''; });
    renderLinks(p.links || []);
    var maps = questions().filter(function (q) { return MAP_TYPES.indexOf(q.type) >= 0; });
    var box = $('p-public-list');
    box.textContent = '';
    $('p-public').hidden = !maps.length;
    maps.forEach(function (q, i) {
      var row = el('div', 'checkbox');
      var cb = el('input', { type: 'checkbox', id: 'p-pq-' + i, value: q.key });
      cb.checked = (p.public_questions || []).indexOf(q.key) >= 0;
      row.appendChild(cb);
      row.appendChild(el('label', { for: 'p-pq-' + i }, qText(q)));
      box.appendChild(row);
    });
    $('p-updated').textContent = p.updated ? t('rsPubUpdated', { when: VK.formatDate(p.updated, true), who: p.updated_by || '' }) : '';
    $('publication').querySelectorAll('input, select, textarea, #p-save, #p-add-link').forEach(function (n) {
      if (!st.writer) n.setAttribute('disabled', '');
    });
    $('publication-read-only').hidden = st.writer;
  }

  function loadPublication() {
    return VK.getJSON(base('/publication')).then(function (p) {
      st.pub = p;
      fillPublication();
    }, function (err) {
      var f = $('publication');
      f.querySelector('.form-error').textContent = t('rsPubUnavailable') + ' ' + SS.errorText(err);
      f.querySelector('.form-error').hidden = false;
    });
  }

  function savePublication(e) {
    e.preventDefault();
    var form = $('publication');
    S.clearErrors(form);
    var body = {
      results: $('p-results').checked,
      results_from: $('p-from').value || null,
      k: parseInt($('p-k').value, 10),
      snap: $('p-snap').checked,
      hex_size: parseInt($('p-hex').value, 10),
      status: $('p-status').value || null,
      what_we_did: {},
      links: readLinks()
    };
    VK.LANGS.forEach(function (l) { var v = $('p-what-' + l).value.trim(); if (v) body.what_we_did[l] = v; });
    // Which map questions' drawings are public is the survey's own setting
    // (PUT …/public, docs/surveys.md), saved first when it changed.
    var pq = [];
    $('p-public-list').querySelectorAll('input:checked').forEach(function (c) { pq.push(c.value); });
    var pqChanged = st.pub && pq.join(',') !== (st.pub.public_questions || []).join(',');
    var fields = Object.assign({}, PUB_FIELDS);
    body.links.forEach(function (l, i) {
      fields['links[' + i + '].url'] = 'p-link-' + i + '-url';
      VK.LANGS.forEach(function (lang) { fields['links[' + i + '].title.' + lang] = 'p-link-' + i + '-' + lang; });
    });
    (pqChanged ? SS.api.setPublic(st.slug, pq) : Promise.resolve()).then(function () {
      return VK.api('PUT', base('/publication'), body);
    }).then(function (p) {
      if (pqChanged) p.public_questions = pq;
      st.pub = p;
      fillPublication();
      S.announce(t('rsPubSaved'));
    }, function (err) { S.showError(form, err, fields); });
  }

  /* ---------- moderation ---------- */

  function loadTexts() {
    var q = new URLSearchParams();
    if (st.mstate) q.set('state', st.mstate);
    q.set('limit', '100');
    return VK.getJSON(base('/texts') + '?' + q.toString()).then(function (j) {
      st.texts = j;
      renderTexts();
    }, function (err) {
      var p = $('m-error');
      p.textContent = t('rsModUnavailable') + ' ' + SS.errorText(err);
      p.hidden = false;
    });
  }

  function renderTexts() {
    var j = st.texts;
    if (!j) return;
    var c = j.counts || {};
    $('m-counts').textContent = t('rsModCounts', { pending: VK.formatNumber(c.pending || 0),
      approved: VK.formatNumber(c.approved || 0), rejected: VK.formatNumber(c.rejected || 0) });
    var ul = $('m-list');
    ul.textContent = '';
    if (!j.texts.length) ul.appendChild(el('li', null, t('rsModNone')));
    j.texts.forEach(function (x) {
      var li = el('li', { 'data-id': x.id });
      var q = questionByKey(x.question);
      var about = (q ? qText(q) : x.question) + (x.followup ? ' › ' + x.followup : '');
      li.appendChild(el('p', 'hint', about + ' · ' + VK.formatDate(x.submitted, true) + ' · ' + t('rsModState_' + x.state)));
      li.appendChild(el('p', 'sv-para', x.text));
      if (st.writer) {
        var row = el('div', 'button-row');
        ['approved', 'rejected', 'pending'].forEach(function (s) {
          if (s === x.state) return;
          var b = el('button', { type: 'button', class: 'button button-small' + (s === 'approved' ? '' : ' button-secondary'), 'data-state': s },
            t('rsModSet_' + s));
          b.appendChild(el('span', 'visually-hidden', ': ' + x.text.slice(0, 60)));
          b.addEventListener('click', function () { moderate(x, s, li); });
          row.appendChild(b);
        });
        li.appendChild(row);
      }
      ul.appendChild(li);
    });
  }

  function moderate(x, state, li) {
    $('m-error').hidden = true;
    VK.api('PUT', base('/texts/' + encodeURIComponent(x.id)), { state: state }).then(function () {
      var next = li.nextElementSibling || li.previousElementSibling;
      var nextId = next && next.getAttribute('data-id');
      S.announce(t('rsModDone_' + state));
      return loadTexts().then(function () {
        var target = nextId && document.querySelector('#m-list li[data-id="' + CSS.escape(nextId) + '"] button');
        (target || $('m-state')).focus();
      });
    }, function (err) {
      var p = $('m-error');
      p.textContent = SS.errorText(err);
      p.hidden = false;
      p.focus();
    });
  }

  function fillModeration() {
    var sel = $('m-state');
    sel.textContent = '';
    [['pending', 'rsModState_pending'], ['approved', 'rsModState_approved'], ['rejected', 'rsModState_rejected'], ['', 'rsModAll']].forEach(function (o) {
      sel.appendChild(option(o[0], t(o[1]), o[0] === st.mstate));
    });
  }

  /* ---------- start ---------- */

  function onLanguage() {
    if (!st.base) return;
    fillFilterForm();
    fillPublication();
    fillModeration();
    renderTexts();
    if (st.doc) render();
    setTitle();
  }

  function setTitle() {
    var title = st.title ? localName(st.title) : st.slug;
    $('page-heading').textContent = t('rsStaffH1Of', { title: title });
    document.title = t('rsStaffH1Of', { title: title }) + ' – Vaikuta';
  }

  function onSignedIn(me) {
    if (!SS.canRead(me)) {
      $('results').hidden = true;
      $('planners-only').hidden = false;
      return null;
    }
    if (!st.slug) {
      $('results').hidden = true;
      $('load-error').textContent = t('rsNoSlug');
      $('load-error').hidden = false;
      return null;
    }
    st.writer = SS.canWrite(me);
    $('edit-link').href = '/staff-survey-edit.html?slug=' + encodeURIComponent(st.slug);
    $('public-link').href = '/s/' + encodeURIComponent(st.slug) + '/results';
    return Promise.all([
      SS.api.get(st.slug).catch(function () { return null; }),
      VK.getJSON('/api/v1/config').catch(function () { return null; }),
      VK.getJSON('/api/v1/districts').catch(function () { return null; })
    ]).then(function (r) {
      st.title = r[0] && ((r[0].definition && r[0].definition.title) || r[0].title);
      ((r[0] && r[0].definition && r[0].definition.places) || []).forEach(function (p) { st.places[p.key] = p; });
      st.config = r[1];
      st.districts = (r[2] && r[2].features) || [];
      st.districts.forEach(function (d) { st.distByCode[d.properties.code] = d; });
      setTitle();
      return loadResults();
    }).then(function () {
      if (!st.base) return null;
      fillFilterForm();
      fillModeration();
      return Promise.all([loadPublication(), loadTexts()]);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    readURL();
    $('filters').addEventListener('submit', function (e) {
      e.preventDefault();
      readForm();
      apply(true);
    });
    $('f-question').addEventListener('change', fillValues);
    $('clear').addEventListener('click', function () {
      st.f = { filter: {}, district: '', from: '', to: '', size: st.f.size };
      fillFilterForm();
      apply(true);
    });
    $('publication').addEventListener('submit', savePublication);
    $('p-add-link').addEventListener('click', function () {
      var links = readLinks();
      links.push({ url: '', title: {} });
      renderLinks(links);
      $('p-link-' + (links.length - 1) + '-url').focus();
    });
    $('m-state').addEventListener('change', function () { st.mstate = $('m-state').value; loadTexts(); });
    S.start({ bundles: ['surveyedit', 'results'], onSignedIn: onSignedIn, onLanguage: onLanguage });
  });
})();
