/*
 * survey-results.js — /s/{slug}/results: a survey's public results in plain
 * language (docs/survey-publish.md): "what we did with your answers" with
 * its status, every question's counts as a chart with its table, a count
 * from fewer than k respondents said as "fewer than k answers", the map
 * questions' hexagons on a map and per district, a view narrowed by one
 * answer and a district (the server refuses views that would single out
 * anyone), and the respondent's own answers beside the figures when this
 * browser kept the survey's resume token (survey.js keeps it on sending).
 */
(function () {
  'use strict';

  var VK = window.VK, C = VK.charts, R = VK.results;
  var t = VK.t, $ = VK.$, el = VK.el, localName = VK.localName;

  var MAP_TYPES = ['map-point', 'map-line', 'map-area', 'geobudget'];
  var FILTERABLE = ['single-choice', 'multi-choice', 'place-choice', 'scale'];

  var st = { slug: null, def: null, index: {}, places: {}, doc: null, config: null, districts: [],
    answer: '', district: '', seq: 0, maps: [], mine: null, mineShown: false, token: null, what: null };

  function api(tail) { return '/api/v1/surveys/' + encodeURIComponent(st.slug) + tail; }

  /* ---------- the definition's words ---------- */

  function indexDef(def) {
    st.index = {};
    (def.pages || []).forEach(function (p) {
      (p.elements || []).forEach(function (e) { if (e.key) st.index[e.key] = e; });
    });
    st.places = {};
    (def.places || []).forEach(function (p) { st.places[p.key] = p; });
  }

  function qText(key) { var e = st.index[key]; return e ? localName(e.text) || key : key; }

  function choiceText(qkey, ckey) {
    var e = st.index[qkey];
    if (ckey === '_other') return t('rsOther');
    if (e && e.type === 'place-choice') { var p = st.places[ckey]; return p ? localName(p.name) : ckey; }
    var list = e && (e.choices || e.items || e.rows || e.columns || []);
    var found = (list || []).filter(function (c) { return c.key === ckey; })[0];
    return found ? localName(found.text) || ckey : ckey;
  }

  function columnText(qkey, ckey) {
    var e = st.index[qkey];
    var found = ((e && e.columns) || []).filter(function (c) { return c.key === ckey; })[0];
    return found ? localName(found.text) || ckey : ckey;
  }

  function districtName(d) {
    if (d.name) return localName(d.name);
    if (d.code === null) return t('rsNoDistrict');
    var f = st.districts.filter(function (x) { return x.properties.code === d.code; })[0];
    return f ? localName(f.properties.name) : d.code;
  }

  /* ---------- figures ---------- */

  // A row of a count chart: {label, value (null when hidden), display}.
  function countItem(key, label, c) {
    var x = R.count(c);
    return { key: key, label: label, value: x.value, display: x.text };
  }

  function countRows(items) {
    return items.map(function (i) {
      return { head: i.label, key: i.key, cells: [{ text: i.display, value: i.value, suppressed: i.value === null }] };
    });
  }

  function noAnswerLine(q) {
    if (q.no_answer === undefined) return null;
    var x = R.count(q.no_answer);
    var p = el('p', 'hint', t('rsNoAnswer', { n: x.text }));
    p.setAttribute('data-value', x.value === null ? '' : String(x.value));
    return p;
  }

  function respondentsLine(q) {
    if (q.respondents === undefined) return null;
    var x = R.count(q.respondents);
    var p = el('p', 'rs-n', t('rsRespondentsOf', { n: x.text }));
    p.setAttribute('data-value', x.value === null ? '' : String(x.value));
    if (x.suppressed) p.setAttribute('data-suppressed', 'true');
    return p;
  }

  function choices(q) {
    var items = (q.choices || []).map(function (c) { return countItem(c.key, choiceText(q.key, c.key), c.count); });
    if (q.other !== undefined) items.push(countItem('_other', t('rsOther'), q.other));
    return C.bars({ title: qText(q.key), items: items, headLabel: t('rsAnswer'), valueLabel: t('rsRespondents'),
      rows: countRows(items), cols: [{ label: t('rsAnswer') }, { label: t('rsRespondents'), num: true }] });
  }

  function scale(q) {
    var items = (q.distribution || []).map(function (d) { return countItem(String(d.value), VK.formatNumber(d.value), d.count); });
    var frag = document.createDocumentFragment();
    frag.appendChild(el('p', 'rs-stats', q.mean === null || q.mean === undefined ? t('rsMeanHidden')
      : t('rsMeanMedian', { mean: R.number(q.mean), median: R.number(q.median) })));
    frag.appendChild(C.columns({ title: qText(q.key), items: items, rows: countRows(items),
      cols: [{ label: t('rsValue') }, { label: t('rsRespondents'), num: true }] }));
    return frag;
  }

  function matrix(q) {
    var cols = [];
    (q.rows || []).forEach(function (r) {
      (r.columns || []).forEach(function (c) { if (cols.indexOf(c.key) < 0) cols.push(c.key); });
    });
    return C.stacked({ title: qText(q.key), headLabel: t('rsRow'),
      columns: cols.map(function (k) { return { key: k, label: columnText(q.key, k) }; }),
      rows: (q.rows || []).map(function (r) {
        var by = {};
        (r.columns || []).forEach(function (c) { by[c.key] = c.count; });
        return { key: r.key, label: choiceText(q.key, r.key), cells: cols.map(function (k) {
          var x = R.count(by[k] === undefined ? 0 : by[k]);
          return { value: x.value, display: x.text };
        }) };
      }) });
  }

  function texts(q) {
    var box = el('div', 'rs-textbox');
    if (!q.texts || !q.texts.length) {
      box.appendChild(el('p', 'hint', t('rsNoTexts')));
      return box;
    }
    box.appendChild(el('h4', null, t('rsApprovedTexts')));
    var ul = el('ul', 'rs-texts');
    q.texts.forEach(function (x) { ul.appendChild(el('li', 'sv-para', typeof x === 'string' ? x : x.text)); });
    box.appendChild(ul);
    return box;
  }

  function items(q) {
    var list = (q.items || []).map(function (i) { return countItem(i.key, choiceText(q.key, i.key), i.count); });
    return C.bars({ title: qText(q.key), items: list, rows: countRows(list),
      cols: [{ label: t('rsItem') }, { label: t('rsRespondents'), num: true }] });
  }

  function mapQuestion(q, sec) {
    var frag = document.createDocumentFragment();
    if (q.hexagons && q.hexagons.cells && q.hexagons.cells.length) {
      var wrap = el('div', 'rs-map-wrap');
      var mapBox = el('div', { id: 'map-' + q.key, class: 'rs-map', role: 'region', 'aria-label': t('rsMapOf', { question: qText(q.key) }) });
      var legend = el('div', 'rs-legend-box');
      wrap.appendChild(mapBox);
      wrap.appendChild(legend);
      frag.appendChild(el('p', 'hint', t('rsPublicMapHint', { size: VK.formatNumber(q.hexagons.size) })));
      frag.appendChild(wrap);
      sec.afterInsert = function () {
        var m = R.hexMap(mapBox, legend, st.config, st.districts, 'count');
        st.maps.push(m);
        m.setGrid(R.hexFeatures(q.hexagons.cells, q.hexagons.size, 'count'));
      };
    }
    var ds = (q.districts || []).map(function (d) { return countItem(d.code === null ? '' : d.code, districtName(d), d.count); });
    if (ds.length) {
      frag.appendChild(C.bars({ title: t('rsByDistrict', { question: qText(q.key) }), items: ds, rows: countRows(ds),
        cols: [{ label: t('rsDistrict') }, { label: t('rsRespondents'), num: true }] }));
    }
    if (q.items) frag.appendChild(items(q));
    // The whole survey's figures as files (QGIS, GDAL), whatever the view.
    var files = el('ul', 'rs-downloads');
    [['', 'rsGeojsonHex'], ['-districts', 'rsGeojsonDistricts']].forEach(function (f) {
      var li = el('li');
      li.appendChild(el('a', { href: api('/results/' + encodeURIComponent(q.key) + f[0] + '.geojson'), download: '' },
        t(f[1], { question: qText(q.key) })));
      files.appendChild(li);
    });
    frag.appendChild(files);
    return frag;
  }

  function figureOf(q, sec) {
    switch (q.type) {
      case 'single-choice': case 'multi-choice': case 'place-choice': return choices(q);
      case 'scale': return scale(q);
      case 'number': return el('p', 'rs-stats', q.median === null || q.median === undefined ? t('rsMeanHidden')
        : t('rsMedianOnly', { median: R.number(q.median) }));
      case 'matrix': return matrix(q);
      case 'text': return texts(q);
      case 'budget': return q.items ? items(q) : null;
      default: return MAP_TYPES.indexOf(q.type) >= 0 ? mapQuestion(q, sec) : null;
    }
  }

  /* ---------- own answers ---------- */

  function answerWords(key, v) {
    var e = st.index[key];
    if (v === null || v === undefined) return '';
    if (e && MAP_TYPES.indexOf(e.type) >= 0 && Array.isArray(v)) return t(v.length === 1 ? 'rsMineFeature' : 'rsMineFeatures', { n: v.length });
    if (Array.isArray(v)) return v.map(function (x) { return typeof x === 'string' ? choiceText(key, x) : answerWords(key, x); }).join(', ');
    if (typeof v === 'object') {
      if (v.other) return t('rsOther') + ': ' + v.other;
      if (v.choice !== undefined) return choiceText(key, v.choice);
      return Object.keys(v).map(function (k) {
        var x = v[k];
        return choiceText(key, k) + ': ' + (typeof x === 'string' ? columnText(key, x) : String(x));
      }).join('; ');
    }
    if (v === '_skip') return t('rsSkipped');
    if (typeof v === 'string' && e && e.type && /choice/.test(e.type)) return choiceText(key, v);
    if (typeof v === 'boolean') return t(v ? 'rsYes' : 'rsNo');
    return String(v);
  }

  function showMine() {
    document.querySelectorAll('.rs-mine-answer').forEach(function (n) { n.remove(); });
    if (!st.mine || !st.mineShown) return;
    var a = st.mine.answers || {};
    Object.keys(a).forEach(function (k) {
      var sec = $('rq-' + k);
      if (!sec) return;
      var p = el('p', 'rs-mine-answer');
      p.appendChild(el('strong', null, t('rsMineAnswer') + ' '));
      p.appendChild(el('span', null, answerWords(k, a[k])));
      sec.insertBefore(p, sec.children[1] || null);
    });
  }

  function toggleMine() {
    var b = $('rs-mine-show');
    if (st.mineShown) {
      st.mineShown = false;
      b.setAttribute('aria-expanded', 'false');
      b.textContent = t('rsMineShow');
      showMine();
      return;
    }
    var load = st.mine ? Promise.resolve(st.mine)
      : VK.getJSON(api('/mine/' + encodeURIComponent(st.token))).then(function (m) { st.mine = m; return m; });
    $('rs-mine-status').textContent = t('rsLoading');
    load.then(function () {
      st.mineShown = true;
      b.setAttribute('aria-expanded', 'true');
      b.textContent = t('rsMineHide');
      showMine();
      $('rs-mine-status').textContent = t('rsMineShown', { n: Object.keys(st.mine.answers || {}).length });
    }, function (err) {
      $('rs-mine-status').textContent = err && err.status === 404 ? t('rsMineNotFound') : t('svLoadError');
    });
  }

  /* ---------- the view ---------- */

  // The page draws the hexagons, never the drawn features themselves: it
  // leaves them out (a public question's could be tens of thousands; they
  // are in the downloads below and the question's OGC API layer).
  function viewQuery() {
    var q = new URLSearchParams();
    if (st.answer) q.set('filter', st.answer);
    if (st.district) q.set('district', st.district);
    q.set('features', 'false');
    return '?' + q.toString();
  }

  function fillFilters() {
    var sel = $('rs-f-answer');
    sel.textContent = '';
    sel.appendChild(el('option', { value: '' }, t('rsEveryone')));
    (st.doc ? st.doc.questions : []).forEach(function (q) {
      if (FILTERABLE.indexOf(q.type) < 0) return;
      var og = el('optgroup', { label: qText(q.key) });
      var vals = q.type === 'scale' ? (q.distribution || []).map(function (d) { return String(d.value); })
        : (q.choices || []).map(function (c) { return c.key; });
      vals.forEach(function (v) {
        var label = q.type === 'scale' ? VK.formatNumber(Number(v)) : choiceText(q.key, v);
        var o = el('option', { value: q.key + ':' + v }, qText(q.key) + ': ' + label);
        if (st.answer === q.key + ':' + v) o.selected = true;
        og.appendChild(o);
      });
      if (vals.length) sel.appendChild(og);
    });
    var ds = $('rs-f-district');
    ds.textContent = '';
    ds.appendChild(el('option', { value: '' }, t('rsAllDistricts')));
    st.districts.slice().sort(function (a, b) {
      return localName(a.properties.name).localeCompare(localName(b.properties.name), VK.LOCALES[VK.lang()]);
    }).forEach(function (d) {
      var o = el('option', { value: d.properties.code }, localName(d.properties.name));
      if (d.properties.code === st.district) o.selected = true;
      ds.appendChild(o);
    });
  }

  function clearFieldErrors() {
    ['rs-f-answer', 'rs-f-district'].forEach(function (id) {
      $(id).removeAttribute('aria-invalid');
      $(id + '-error').hidden = true;
      $(id + '-error').textContent = '';
    });
  }

  function render() {
    st.maps.forEach(function (m) { m.map.remove(); });
    st.maps = [];
    var d = st.doc;
    var x = R.count(d.respondents);
    var rp = $('rs-respondents');
    rp.textContent = (st.answer || st.district) ? t('rsRespondentsView', { n: x.text }) : t('rsRespondentsAll', { n: x.text });
    rp.setAttribute('data-value', x.value === null ? '' : String(x.value));
    $('rs-privacy-text').textContent = t('rsPrivacyText', { k: d.k });
    var box = $('rs-questions');
    box.textContent = '';
    var after = [];
    (d.questions || []).forEach(function (q) {
      var sec = el('section', { class: 'rs-question', id: 'rq-' + q.key, 'data-key': q.key, 'aria-labelledby': 'rq-' + q.key + '-h' });
      sec.appendChild(el('h2', { id: 'rq-' + q.key + '-h' }, qText(q.key)));
      var rl = respondentsLine(q);
      if (rl) sec.appendChild(rl);
      var body = figureOf(q, sec);
      if (body) sec.appendChild(body);
      var na = noAnswerLine(q);
      if (na) sec.appendChild(na);
      box.appendChild(sec);
      if (sec.afterInsert) after.push(sec.afterInsert);
    });
    after.forEach(function (f) { f(); });
    showMine();
  }

  function loadView(announce) {
    var my = ++st.seq;
    return VK.getJSON(api('/results') + viewQuery()).then(function (doc) {
      if (my !== st.seq) return;
      clearFieldErrors();
      st.doc = doc;
      if (doc.what_we_did) st.what = doc.what_we_did;
      $('rs-body').hidden = false;
      render();
      if (announce) $('rs-respondents').focus();
    }, function (err) {
      if (my !== st.seq) return;
      if (err.status === 403 && !st.doc) {
        $('rs-not-yet').hidden = false;
        return;
      }
      if (err.status === 400 && (err.field === 'filter' || err.field === 'district')) {
        var id = err.field === 'filter' ? 'rs-f-answer' : 'rs-f-district';
        $(id + '-error').textContent = t('rsRefused');
        $(id + '-error').hidden = false;
        $(id).setAttribute('aria-invalid', 'true');
        $(id).focus();
        return;
      }
      throw err;
    });
  }

  function renderStatic(initial) {
    var title = localName(st.def.title);
    $('rs-title').textContent = t('rsPublicH1', { title: title });
    document.title = t('rsPublicH1', { title: title }) + ' – Vaikuta';
    R.whatWeDid($('rs-what'), st.what, 'h2');
    if (st.doc) {
      fillFilters();
      if (!initial) render();
    }
    var b = $('rs-mine-show');
    b.textContent = t(st.mineShown ? 'rsMineHide' : 'rsMineShow');
  }

  function readToken() {
    var q = new URLSearchParams(location.search).get('mine');
    if (q) return q;
    try { return localStorage.getItem('vaikuta.survey.mine.' + st.slug); } catch (e) { return null; }
  }

  function start() {
    var m = /^\/s\/([a-z0-9-]+)\/results\/?$/.exec(location.pathname);
    st.slug = m ? m[1] : null;
    if (st.slug) VK.feedLink('/api/v1/feeds/surveys/' + st.slug + '.atom', 'Atom');
    var strings = VK.startPage({ bundles: ['survey', 'results'], onLanguage: function () { if (st.def) renderStatic(); } });
    var ready = function () { document.body.setAttribute('data-ready', 'true'); };
    if (!st.slug) {
      strings.then(function () { $('load-error').textContent = t('svNotFound'); $('load-error').hidden = false; }).then(ready);
      return;
    }
    var q = new URLSearchParams(location.search);
    st.answer = q.get('filter') || '';
    st.district = q.get('district') || '';
    $('rs-survey-link').href = '/s/' + encodeURIComponent(st.slug);
    $('rs-filters').addEventListener('submit', function (e) {
      e.preventDefault();
      st.answer = $('rs-f-answer').value;
      st.district = $('rs-f-district').value;
      var u = new URL(location.href);
      ['filter', 'district'].forEach(function (k) { u.searchParams.delete(k); });
      if (st.answer) u.searchParams.set('filter', st.answer);
      if (st.district) u.searchParams.set('district', st.district);
      history.replaceState(null, '', u.toString());
      loadView(true);
    });
    $('rs-clear').addEventListener('click', function () {
      st.answer = '';
      st.district = '';
      $('rs-f-answer').value = '';
      $('rs-f-district').value = '';
      history.replaceState(null, '', location.pathname);
      loadView(true);
    });
    $('rs-respondents').setAttribute('tabindex', '-1');
    st.token = readToken();
    $('rs-mine-show').addEventListener('click', toggleMine);
    Promise.all([
      VK.getJSON(api('')),
      VK.getJSON('/api/v1/config').catch(function () { return null; }),
      VK.getJSON('/api/v1/districts').catch(function () { return null; }),
      strings
    ]).then(function (r) {
      st.def = r[0].definition;
      st.what = r[0].what_we_did || null;
      indexDef(st.def);
      st.config = r[1];
      st.districts = (r[2] && r[2].features) || [];
      $('results-view').hidden = false;
      $('rs-mine').hidden = !st.token;
      return loadView(false).then(function () { renderStatic(true); });
    }).catch(function (e) {
      $('results-view').hidden = true;
      $('load-error').textContent = t(e && e.status === 404 ? 'svNotFound' : 'svLoadError');
      $('load-error').hidden = false;
    }).then(ready);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
