/*
 * stats.js — the public "what has been reported" page: filters kept in the
 * URL, a district (or accessibility-area) choropleth with an optional
 * hexagon density layer, charts of counts over time and by category, and
 * response-time tables. Signed-in staff also see the figures per unit.
 *
 * Every chart and the map has a real table beside it with the same numbers,
 * for screen-reader users and anyone who wants the figures. Numeric cells
 * carry their raw value in data-value so tests compare them with the API.
 * All figures come from /api/v1/stats/*; nothing is computed from items here.
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, $ = VK.$, el = VK.el, svg = VK.svg;

  var FILTERS = ['start', 'end', 'category', 'status', 'district'];
  var OPEN = VK.OPEN, CLOSED = VK.CLOSED;
  var CELLS = [100, 250, 500, 1000, 2000];
  // 1 km hexagons by default: at the whole town's scale smaller ones are
  // specks; a planner zooms in and picks 250 m or 100 m.
  var VIEW_DEFAULTS = { areas: 'districts', density: false, cell: 1000, bucket: 'month' };
  // Sequential classes, light to dark: ColorBrewer Blues for areas and
  // OrRd for hexagons, so the two layers never read as one scale. Each
  // class also has its limits in the legend and its number in the tables.
  var AREA_COLOURS = ['#c6dbef', '#6baed6', '#2171b5', '#08306b'];
  var HEX_COLOURS = ['#fdd49e', '#fc8d59', '#d7301f', '#7f0000'];
  var BAR_COLOUR = '#0a4f7e';

  var S = {
    filters: {},
    view: Object.assign({}, VIEW_DEFAULTS),
    config: null,
    categories: [],
    catById: {},
    distByCode: {},
    unitByCode: {},
    staff: null,
    data: {},      // part name → API answer (or an ApiError)
    loads: 0,      // requests in flight, for data-ready
    seq: {},       // part name → sequence number of its newest request
    map: null,
    zoomControl: null,
    areaLayer: null,
    labelLayer: null,
    densityLayer: null,
    resizeTimer: null,
    started: false
  };

  /* ---------- small DOM helpers ---------- */

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  /* ---------- formatting ---------- */

  function locale() { return VK.LOCALES[VK.lang()]; }

  function fmtInt(n) { return VK.formatNumber(n || 0); }

  // A value that may be null ("no data"): the dash for the eye, words for
  // the ear.
  function noData() {
    var s = el('span');
    s.appendChild(el('span', { 'aria-hidden': 'true' }, '–'));
    s.appendChild(el('span', { 'class': 'visually-hidden' }, t('stNoData')));
    return s;
  }

  function fmtDays(x) { return x === null || x === undefined ? null : VK.formatNumber(x, 1); }

  function fmtShare(x) {
    if (x === null || x === undefined) return null;
    return Number(x).toLocaleString(locale(), { style: 'percent', maximumFractionDigits: 0 });
  }

  function fmtCell(m) {
    return m >= 1000 ? VK.formatNumber(m / 1000, 1) + ' km' : VK.formatNumber(m) + ' m';
  }

  // "2026-03" → "maaliskuu 2026"; "2026-W07" → "viikko 7/2026"; "2026" as is.
  function bucketLabel(key, short) {
    var m = /^(\d{4})-W(\d{2})$/.exec(key);
    if (m) return t(short ? 'stWeekShort' : 'stWeekLong', { week: Number(m[2]), year: m[1] });
    m = /^(\d{4})-(\d{2})$/.exec(key);
    if (m) {
      var d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
      if (short) return Number(m[2]) + '/' + m[1];
      return d.toLocaleDateString(locale(), { month: 'long', year: 'numeric', timeZone: 'UTC' });
    }
    return key;
  }

  var statusName = VK.statusName;

  function categoryName(id) {
    var c = S.catById[id];
    return c ? VK.localName(c.name) : id;
  }

  function districtName(code) {
    if (code === null || code === undefined || code === 'none') return t('stOutsideDistricts');
    var d = S.distByCode[code];
    return d ? VK.localName(d.properties.name) : code;
  }

  function unitName(code) {
    if (code === null || code === undefined) return t('stNoUnit');
    var u = S.unitByCode[code];
    return u ? VK.localName(u.name) : code;
  }

  /* ---------- state in the URL ---------- */

  function readURL() {
    var q = new URLSearchParams(location.search);
    S.filters = {};
    FILTERS.forEach(function (k) {
      var v = q.get(k);
      if (v) S.filters[k] = v;
    });
    var v = S.view = Object.assign({}, VIEW_DEFAULTS);
    if (q.get('areas') === 'accessibility-areas') v.areas = 'accessibility-areas';
    v.density = q.get('density') === '1';
    var cell = Number(q.get('cell'));
    if (CELLS.indexOf(cell) >= 0) v.cell = cell;
    if (q.get('bucket') === 'week') v.bucket = 'week';
  }

  // push: a new history entry (a new set of filters); otherwise replace.
  function writeURL(push) {
    var u = new URL(location.href);
    FILTERS.forEach(function (k) {
      if (S.filters[k]) u.searchParams.set(k, S.filters[k]); else u.searchParams.delete(k);
    });
    var v = S.view;
    Object.keys(VIEW_DEFAULTS).forEach(function (k) {
      var val = k === 'density' ? (v.density ? '1' : '') : String(v[k]);
      if (val && val !== String(VIEW_DEFAULTS[k])) u.searchParams.set(k, val); else u.searchParams.delete(k);
    });
    if (u.toString() === location.href) return;
    if (push) history.pushState(null, '', u.toString()); else history.replaceState(null, '', u.toString());
  }

  function filterQuery(extra) {
    var q = new URLSearchParams();
    FILTERS.forEach(function (k) { if (S.filters[k]) q.set(k, S.filters[k]); });
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    return q.toString();
  }

  /* ---------- the filter form ---------- */

  function option(value, text) { return el('option', { value: value }, text); }

  // Fills a select and keeps (or adds) the current value, so that a shared
  // URL with a list the options do not name still shows what is filtered.
  function fillSelect(sel, options, current, describe) {
    clear(sel);
    var found = false;
    options.forEach(function (o) {
      sel.appendChild(option(o[0], o[1]));
      if (o[0] === (current || '')) found = true;
    });
    if (current && !found) sel.appendChild(option(current, describe(current)));
    sel.value = current || '';
  }

  function fillForm() {
    var f = S.filters;
    $('f-start').value = f.start || '';
    $('f-end').value = f.end || '';
    fillSelect($('f-category'), [['', t('stAllCategories')]].concat(S.categories.map(function (c) {
      return [c.id, VK.localName(c.name)];
    })), f.category, function (v) { return v.split(',').map(categoryName).join(', '); });
    fillSelect($('f-status'), [
      ['', t('stAllStatuses')],
      [OPEN.join(','), t('stOpenStatuses')],
      [CLOSED.join(','), t('stClosedStatuses')]
    ].concat(OPEN.concat(CLOSED).map(function (s) { return [s, statusName(s)]; })),
    f.status, function (v) { return v.split(',').map(statusName).join(', '); });
    var dists = Object.keys(S.distByCode).map(function (c) { return [c, districtName(c)]; });
    dists.sort(function (a, b) { return a[1].localeCompare(b[1], locale()); });
    fillSelect($('f-district'), [['', t('stAllDistricts')]].concat(dists, [['none', t('stOutsideDistricts')]]),
      f.district, function (v) { return v.split(',').map(districtName).join(', '); });

    $('areas-districts').checked = S.view.areas === 'districts';
    $('areas-access').checked = S.view.areas !== 'districts';
    $('density-on').checked = S.view.density;
    var cellSel = $('density-cell');
    clear(cellSel);
    CELLS.forEach(function (c) { cellSel.appendChild(option(String(c), fmtCell(c))); });
    cellSel.value = String(S.view.cell);
    $('bucket-month').checked = S.view.bucket === 'month';
    $('bucket-week').checked = S.view.bucket === 'week';
  }

  function setFieldError(name, message) {
    var input = $('f-' + name);
    var p = $('f-' + name + '-error');
    if (!input || !p) return false;
    if (message) {
      input.setAttribute('aria-invalid', 'true');
      p.textContent = message;
      p.hidden = false;
    } else {
      input.removeAttribute('aria-invalid');
      p.textContent = '';
      p.hidden = true;
    }
    return true;
  }

  function clearFormErrors() {
    FILTERS.forEach(function (k) { setFieldError(k, null); });
    $('filter-error').hidden = true;
    $('filter-error').textContent = '';
  }

  function readForm() {
    var f = {};
    FILTERS.forEach(function (k) {
      var v = $('f-' + k).value.trim();
      if (v) f[k] = v;
    });
    return f;
  }

  function onSubmit(e) {
    e.preventDefault();
    clearFormErrors();
    var f = readForm();
    if (f.start && f.end && f.end < f.start) {
      setFieldError('end', t('stErrEndBeforeStart'));
      $('f-end').focus();
      return;
    }
    S.filters = f;
    writeURL(true);
    loadAll();
  }

  function onClear() {
    clearFormErrors();
    S.filters = {};
    fillForm();
    writeURL(true);
    loadAll();
  }

  /* ---------- loading ---------- */

  function setReady() {
    document.body.setAttribute('data-ready', S.loads === 0 && S.started ? 'true' : 'false');
  }

  // Fetches the URLs of one part of the page; the newest request wins, so
  // quick successive filter changes never show an older answer.
  function load(part, urls, render) {
    var n = (S.seq[part] || 0) + 1;
    S.seq[part] = n;
    S.loads++;
    setReady();
    var busy = { areas: 'map-section', density: 'map-section', time: 'time-section', categories: 'category-section',
      response: 'response-section', staff: 'staff-section' }[part];
    if (busy) $(busy).setAttribute('aria-busy', 'true');
    return Promise.all(urls.map(function (u) {
      return VK.getJSON(u).catch(function (err) { return err instanceof VK.ApiError ? err : new VK.ApiError(0, null); });
    })).then(function (answers) {
      if (S.seq[part] !== n) return;
      S.data[part] = answers;
      if (busy) $(busy).removeAttribute('aria-busy');
      render();
    }).finally(function () {
      S.loads--;
      setReady();
    });
  }

  function failure(answers) {
    for (var i = 0; i < answers.length; i++) {
      if (answers[i] instanceof VK.ApiError) return answers[i];
    }
    return null;
  }

  // Shows the error of a part in its own notice; a 400 about a filter is
  // also shown at the field, since that is where it can be fixed.
  function showPartError(noticeId, err) {
    var box = $(noticeId);
    if (!err) { box.hidden = true; box.textContent = ''; return false; }
    box.textContent = t('stSectionError');
    box.hidden = false;
    // The API's own message is English; the field's message is ours.
    var msg = err.field === 'start' || err.field === 'end' ? t('stErrDate') : t('stErrValue');
    if (err.status === 400 && FILTERS.indexOf(err.field) >= 0 && setFieldError(err.field, msg)) {
      $('filter-error').textContent = t('stFilterRejected');
      $('filter-error').hidden = false;
    }
    return true;
  }

  function loadCategories() {
    return load('categories', ['/api/v1/stats/feedback?' + filterQuery({ group_by: 'category' })], renderCategories);
  }

  function loadTime() {
    return load('time', ['/api/v1/stats/feedback?' + filterQuery({ group_by: S.view.bucket })], renderTime);
  }

  function loadAreas() {
    return load('areas', ['/api/v1/stats/choropleth?' + filterQuery({ areas: S.view.areas })], renderAreas);
  }

  function loadDensity() {
    if (!S.view.density) {
      S.seq.density = (S.seq.density || 0) + 1;
      S.data.density = null;
      renderDensity();
      return Promise.resolve();
    }
    return load('density', ['/api/v1/stats/density?' + filterQuery({ cell: String(S.view.cell) })], renderDensity);
  }

  function loadResponse() {
    return load('response', [
      '/api/v1/stats/response-times?' + filterQuery({ by: 'category' }),
      '/api/v1/stats/response-times?' + filterQuery({ by: 'district' })
    ], renderResponse);
  }

  function loadStaff() {
    if (!S.staff) return Promise.resolve();
    return load('staff', [
      '/api/v1/stats/feedback?' + filterQuery({ group_by: 'unit' }),
      '/api/v1/stats/response-times?' + filterQuery({ by: 'unit' })
    ], renderStaff);
  }

  function loadAll() {
    return Promise.all([loadCategories(), loadTime(), loadAreas(), loadDensity(), loadResponse(), loadStaff()]);
  }

  /* ---------- tables ---------- */

  // cols: [{key, label, num}]; rows: [{head, cells: [value | null]...}] where
  // a cell is {text, value}; foot: the same shape or null.
  // A part that failed shows no figures at all rather than stale ones.
  function blank(tableIds, chartId) {
    tableIds.forEach(function (id) { $(id).parentNode.hidden = true; });
    if (chartId) clear($(chartId));
  }

  function fillTable(table, caption, cols, rows, foot) {
    table.parentNode.hidden = false;
    var cap = table.querySelector('caption');
    cap.textContent = caption;
    Array.prototype.slice.call(table.children).forEach(function (c) { if (c !== cap) table.removeChild(c); });
    // A wide table becomes one card per row where its box is narrow (a
    // phone, 200 % text): each figure with its column's name (data-label,
    // stats.css). The roles keep it a table for screen readers whatever
    // its display.
    var stack = cols.length > 4;
    table.classList.toggle('data-table-stack', stack);
    table.setAttribute('role', 'table');
    var thead = el('thead', { role: 'rowgroup' });
    var tr = el('tr', { role: 'row' });
    cols.forEach(function (c) {
      tr.appendChild(el('th', { scope: 'col', role: 'columnheader', 'class': c.num ? 'num' : '' }, c.label));
    });
    thead.appendChild(tr);
    table.appendChild(thead);
    function row(r, parent) {
      var tr = el('tr', { role: 'row' });
      if (r.key !== undefined) tr.setAttribute('data-key', r.key === null ? '' : r.key);
      tr.appendChild(el('th', { scope: 'row', role: 'rowheader' }, r.head));
      r.cells.forEach(function (c, i) {
        var td = el('td', { 'class': cols[i + 1].num ? 'num' : '', role: 'cell' });
        td.setAttribute('data-col', cols[i + 1].key);
        td.setAttribute('data-label', cols[i + 1].label);
        if (c.text === null) {
          td.appendChild(noData());
          td.setAttribute('data-value', '');
        } else {
          td.textContent = c.text;
          td.setAttribute('data-value', String(c.value));
        }
        tr.appendChild(td);
      });
      parent.appendChild(tr);
    }
    var tbody = el('tbody', { role: 'rowgroup' });
    if (!rows.length) {
      var empty = el('tr');
      empty.appendChild(el('td', { colspan: String(cols.length) }, t('stNoFeedback')));
      tbody.appendChild(empty);
    }
    rows.forEach(function (r) { row(r, tbody); });
    table.appendChild(tbody);
    if (foot) {
      var tfoot = el('tfoot', { role: 'rowgroup' });
      row(foot, tfoot);
      table.appendChild(tfoot);
    }
  }

  function intCell(n) { return { text: fmtInt(n), value: n || 0 }; }
  function daysCell(x) { return { text: fmtDays(x), value: x }; }
  function shareCell(x) { return { text: fmtShare(x), value: x }; }

  /* ---------- charts (plain SVG) ---------- */

  function chartWidth(container) {
    return Math.max(260, Math.round(container.clientWidth || 600));
  }

  // The SVG's name and description: role img, labelled by its own title and
  // desc. The table beside it has the figures.
  function chartRoot(id, w, h, title, desc) {
    var root = svg('svg', {
      viewBox: '0 0 ' + w + ' ' + h, width: String(w), height: String(h),
      role: 'img', 'aria-labelledby': id + '-title ' + id + '-desc', focusable: 'false'
    });
    root.appendChild(svg('title', { id: id + '-title' }, title));
    root.appendChild(svg('desc', { id: id + '-desc' }, desc));
    return root;
  }

  // A "nice" axis step: 1, 2 or 5 × a power of ten, giving about 4 lines.
  function niceStep(max) {
    if (max <= 4) return 1;
    var raw = max / 4;
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  // Vertical bars over time; items: [{key, value}] in order.
  function columnChart(container, id, title, desc, items) {
    clear(container);
    if (!items.length) { container.appendChild(el('p', { 'class': 'chart-empty' }, t('stNoFeedback'))); return; }
    var w = chartWidth(container), h = 280;
    var left = 44, right = 8, top = 12, bottom = 40;
    var plotW = w - left - right, plotH = h - top - bottom;
    var max = Math.max.apply(null, items.map(function (i) { return i.value; }));
    var step = niceStep(max);
    var top_ = Math.max(step, Math.ceil(max / step) * step);
    var root = chartRoot(id, w, h, title, desc);
    var g = svg('g', { 'aria-hidden': 'true' });
    for (var v = 0; v <= top_; v += step) {
      var y = top + plotH - (v / top_) * plotH;
      g.appendChild(svg('line', { x1: left, x2: w - right, y1: y, y2: y, stroke: v === 0 ? '#1b1f23' : '#c4c9ce', 'stroke-width': '1' }));
      g.appendChild(svg('text', { x: left - 6, y: y + 5, 'text-anchor': 'end', 'font-size': '13', fill: '#1b1f23' }, fmtInt(v)));
    }
    var slot = plotW / items.length;
    var barW = Math.max(1, Math.min(48, slot * 0.75));
    // Label every k-th bar so that labels (about 7.5 px a character at 13 px)
    // never overlap.
    var longest = Math.max.apply(null, items.map(function (i) { return bucketLabel(i.key, true).length; }));
    var every = Math.max(1, Math.ceil((longest * 7.5 + 12) / slot));
    items.forEach(function (it, i) {
      var x = left + i * slot + (slot - barW) / 2;
      var bh = (it.value / top_) * plotH;
      g.appendChild(svg('rect', { x: x, y: top + plotH - bh, width: barW, height: Math.max(0, bh), fill: BAR_COLOUR }));
      if (i % every === 0) {
        g.appendChild(svg('text', { x: left + i * slot + slot / 2, y: h - bottom + 20, 'text-anchor': 'middle',
          'font-size': '13', fill: '#1b1f23' }, bucketLabel(it.key, true)));
      }
    });
    root.appendChild(g);
    container.appendChild(root);
  }

  // Horizontal bars with the name above each bar (fits narrow screens).
  function barChart(container, id, title, desc, items) {
    clear(container);
    if (!items.length) { container.appendChild(el('p', { 'class': 'chart-empty' }, t('stNoFeedback'))); return; }
    var w = chartWidth(container), rowH = 44, h = items.length * rowH + 8;
    var max = Math.max.apply(null, items.map(function (i) { return i.value; })) || 1;
    var valueW = 56;
    var root = chartRoot(id, w, h, title, desc);
    var g = svg('g', { 'aria-hidden': 'true' });
    items.forEach(function (it, i) {
      var y = i * rowH + 4;
      g.appendChild(svg('text', { x: 0, y: y + 15, 'font-size': '14', fill: '#1b1f23' }, it.label));
      var bw = Math.max(2, (it.value / max) * (w - valueW));
      g.appendChild(svg('rect', { x: 0, y: y + 21, width: bw, height: 16, fill: BAR_COLOUR }));
      g.appendChild(svg('text', { x: bw + 6, y: y + 34, 'font-size': '14', 'font-weight': '700', fill: '#1b1f23' }, fmtInt(it.value)));
    });
    root.appendChild(g);
    container.appendChild(root);
  }

  function biggest(items, label) {
    var best = null;
    items.forEach(function (i) { if (!best || i.value > best.value) best = i; });
    return best ? t('stChartDesc', { label: label(best), count: fmtInt(best.value) }) : t('stNoFeedback');
  }

  /* ---------- parts of the page ---------- */

  function renderSummary() {
    var a = S.data.categories && S.data.categories[0];
    var s = $('summary');
    if (!a || a instanceof VK.ApiError) { s.textContent = ''; return; }
    var text = t('stSummary', { n: a.total, count: fmtInt(a.total) });
    var areas = S.data.areas && S.data.areas[0];
    if (areas && !(areas instanceof VK.ApiError) && S.view.areas === 'districts' && areas.outside) {
      text += ' ' + t('stSummaryOutside', { n: areas.outside, count: fmtInt(areas.outside) });
    }
    var f = describeFilters();
    if (f) text += ' ' + t('stSummaryFilters', { filters: f });
    s.textContent = text;
  }

  // The filters in force, in words: "1.6.2026–31.10.2026; Valaistus; …".
  function describeFilters() {
    var f = S.filters, parts = [];
    // Noon, so that no time zone moves the day.
    var day = function (d) { return VK.formatDate(d + 'T12:00:00'); };
    if (f.start && f.end) parts.push(day(f.start) + '–' + day(f.end));
    else if (f.start) parts.push(t('stFromDate', { date: day(f.start) }));
    else if (f.end) parts.push(t('stToDate', { date: day(f.end) }));
    [['category', categoryName], ['status', statusName], ['district', districtName]].forEach(function (p) {
      if (!f[p[0]]) return;
      var sel = $('f-' + p[0]);
      var o = sel && sel.selectedOptions[0];
      parts.push(o && o.value === f[p[0]] ? o.textContent : f[p[0]].split(',').map(p[1]).join(', '));
    });
    return parts.join('; ');
  }

  function renderCategories() {
    var answers = S.data.categories;
    if (!answers) return;
    renderSummary();
    if (showPartError('category-error', failure(answers))) return blank(['category-table'], 'category-chart');
    var a = answers[0];
    var groups = a.groups.slice().sort(function (x, y) { return y.count - x.count; });
    var items = groups.map(function (g) { return { key: g.category, label: categoryName(g.category), value: g.count }; });
    barChart($('category-chart'), 'category-svg', t('stCategoryChartTitle'),
      biggest(items, function (i) { return i.label; }), items);
    fillTable($('category-table'), t('stCategoryTableCaption'),
      [{ key: 'category', label: t('stColCategory') }, { key: 'count', label: t('stColCount'), num: true },
        { key: 'share', label: t('stColShare'), num: true }],
      groups.map(function (g) {
        return { key: g.category, head: categoryName(g.category),
          cells: [intCell(g.count), shareCell(a.total ? g.count / a.total : null)] };
      }),
      { key: 'total', head: t('stTotal'), cells: [intCell(a.total), shareCell(a.total ? 1 : null)] });
  }

  // ISO 8601 week helpers, to fill the weeks that had no feedback.
  function isoWeekMonday(year, week) {
    var jan4 = new Date(Date.UTC(year, 0, 4));
    var day = (jan4.getUTCDay() + 6) % 7;
    return new Date(Date.UTC(year, 0, 4 - day + (week - 1) * 7));
  }

  function isoWeekKey(d) {
    var th = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 3 - (d.getUTCDay() + 6) % 7));
    var y = th.getUTCFullYear();
    var w = 1 + Math.round((th - isoWeekMonday(y, 1)) / 604800000);
    return y + '-W' + (w < 10 ? '0' : '') + w;
  }

  function nextBucket(key) {
    var m = /^(\d{4})-W(\d{2})$/.exec(key);
    if (m) {
      var d = isoWeekMonday(Number(m[1]), Number(m[2]));
      d.setUTCDate(d.getUTCDate() + 7);
      return isoWeekKey(d);
    }
    m = /^(\d{4})-(\d{2})$/.exec(key);
    if (m) {
      var y = Number(m[1]), mo = Number(m[2]) + 1;
      if (mo > 12) { mo = 1; y++; }
      return y + '-' + (mo < 10 ? '0' : '') + mo;
    }
    return null;
  }

  // The API leaves out empty buckets; a time axis shows them as zero.
  function withEmptyBuckets(groups, field) {
    var byKey = {};
    groups.forEach(function (g) { byKey[g[field]] = g.count; });
    var keys = groups.map(function (g) { return g[field]; }).filter(Boolean).sort();
    if (!keys.length) return [];
    var out = [];
    for (var k = keys[0], guard = 0; k && k <= keys[keys.length - 1] && guard < 2000; k = nextBucket(k), guard++) {
      out.push({ key: k, value: byKey[k] || 0 });
    }
    return out;
  }

  function renderTime() {
    var answers = S.data.time;
    if (!answers) return;
    if (showPartError('time-error', failure(answers))) return blank(['time-table'], 'time-chart');
    var bucket = answers[0].group_by && answers[0].group_by[0] === 'week' ? 'week' : 'month';
    var items = withEmptyBuckets(answers[0].groups, bucket);
    columnChart($('time-chart'), 'time-svg', t('stTimeChartTitle_' + bucket),
      biggest(items, function (i) { return bucketLabel(i.key, false); }), items);
    var total = items.reduce(function (s, i) { return s + i.value; }, 0);
    fillTable($('time-table'), t('stTimeTableCaption_' + bucket),
      [{ key: bucket, label: t(bucket === 'week' ? 'stColWeek' : 'stColMonth') }, { key: 'count', label: t('stColCount'), num: true }],
      items.map(function (i) { return { key: i.key, head: bucketLabel(i.key, false), cells: [intCell(i.value)] }; }),
      { key: 'total', head: t('stTotal'), cells: [intCell(total)] });
  }

  /* ----- map ----- */

  function initMap() {
    var cfg = S.config || {};
    var map = S.map = VK.map.create('map', cfg);
    // The whole municipality in view: the districts' extent, else the
    // configured centre.
    var dists = Object.keys(S.distByCode).map(function (c) { return S.distByCode[c]; });
    var extent = dists.length ? L.geoJSON({ type: 'FeatureCollection', features: dists }).getBounds() : null;
    if (extent && extent.isValid()) map.fitBounds(extent, { padding: [8, 8], animate: false });
    else map.setView(VK.map.centre(cfg), VK.map.zoom(cfg));
    map.createPane('areas').style.zIndex = 350;
    map.createPane('density').style.zIndex = 400;
    map.createPane('labels').style.zIndex = 450;
    map.getPane('labels').style.pointerEvents = 'none';
    S.areaLayer = L.layerGroup().addTo(map);
    S.densityLayer = L.layerGroup().addTo(map);
    S.labelLayer = L.layerGroup().addTo(map);
    setZoomControl();
  }

  function setZoomControl() {
    if (!S.map) return;
    S.zoomControl = VK.map.zoomControl(S.map, S.zoomControl);
  }

  // Equal-interval classes over 1..max with whole-number limits; zero is a
  // class of its own (drawn white) so "nothing reported" never looks like
  // "a little".
  function classes(max, colours) {
    var out = [];
    if (!(max > 0)) return out;
    var n = colours.length;
    var step = Math.max(1, Math.ceil(max / n));
    for (var i = 0, lo = 1; lo <= max && i < n; i++, lo += step) {
      out.push({ lo: lo, hi: i === n - 1 ? Math.max(max, lo + step - 1) : lo + step - 1 });
    }
    // Fewer classes than colours: spread them so the top class is always
    // the darkest.
    out.forEach(function (c, j) {
      c.colour = colours[out.length === 1 ? n - 1 : Math.round(j * (n - 1) / (out.length - 1))];
    });
    return out;
  }

  function classOf(count, cls) {
    for (var i = 0; i < cls.length; i++) if (count >= cls[i].lo && count <= cls[i].hi) return cls[i];
    return null;
  }

  function rangeText(c) { return c.lo === c.hi ? fmtInt(c.lo) : fmtInt(c.lo) + '–' + fmtInt(c.hi); }

  function fillLegend(list, cls, withZero) {
    clear(list);
    function item(colour, text) {
      var li = el('li', { 'class': 'legend-item' });
      var sw = el('span', { 'class': 'legend-swatch', 'aria-hidden': 'true' });
      sw.style.background = colour;
      li.appendChild(sw);
      li.appendChild(el('span', null, text));
      list.appendChild(li);
    }
    if (withZero) item('#ffffff', t('stLegendZero'));
    cls.forEach(function (c) { item(c.colour, rangeText(c)); });
  }

  function areaFeatures() {
    var a = S.data.areas && S.data.areas[0];
    return a && !(a instanceof VK.ApiError) && Array.isArray(a.features) ? a.features : null;
  }

  function drawAreas() {
    if (!S.map) return;
    S.areaLayer.clearLayers();
    S.labelLayer.clearLayers();
    var fs = areaFeatures();
    if (!fs) return;
    var max = Math.max.apply(null, [0].concat(fs.map(function (f) { return f.properties.count || 0; })));
    var cls = classes(max, AREA_COLOURS);
    var dense = S.view.density;
    fs.forEach(function (f) {
      var p = f.properties;
      var c = classOf(p.count || 0, cls);
      var layer = L.geoJSON(f, {
        pane: 'areas',
        style: function () {
          // Under the hexagons the areas keep only their outlines.
          return { color: '#1b1f23', weight: 2, opacity: 1, fillColor: c ? c.colour : '#ffffff',
            fillOpacity: dense ? 0 : 0.85 };
        }
      });
      layer.bindTooltip(VK.textNode('span', t('stAreaTooltip', { name: VK.localName(p.name), n: p.count || 0, count: fmtInt(p.count) })),
        { sticky: true });
      layer.addTo(S.areaLayer);
      if (!dense) {
        var d = S.view.areas === 'districts' && S.distByCode[p.code];
        var lp = d && d.properties.label_point;
        var at = Array.isArray(lp) ? L.latLng(lp[1], lp[0]) : layer.getBounds().getCenter();
        L.marker(at, {
          pane: 'labels', interactive: false, keyboard: false,
          // The district's name over its count: a reader should not need
          // the list to know which area is which.
          icon: L.divIcon({ className: 'area-label', html: VK.textNode('span', VK.localName(p.name) + '\n' + fmtInt(p.count)), iconSize: null })
        }).addTo(S.labelLayer);
      }
    });
    $('legend-areas-title').textContent = t('stLegendAreas_' + (S.view.areas === 'districts' ? 'districts' : 'access'));
    fillLegend($('legend-areas'), cls, true);
    // With the hexagons on, the areas are outlines only: their classes
    // would explain colours that are not drawn.
    $('legend-areas-title').hidden = $('legend-areas').hidden = dense;
  }

  // Planners take the same figures into QGIS: the links follow the filters.
  function renderDownloads() {
    var districts = S.view.areas === 'districts';
    var a = $('dl-areas'), d = $('dl-density'), o = $('dl-ogc');
    a.href = '/api/v1/stats/choropleth?' + filterQuery({ areas: S.view.areas });
    a.textContent = t(districts ? 'stDlAreas_districts' : 'stDlAreas_access');
    d.href = '/api/v1/stats/density?' + filterQuery({ cell: String(S.view.cell) });
    d.textContent = t('stDlDensity', { size: fmtCell(S.view.cell) });
    o.href = '/ogcapi/collections/' + (districts ? 'feedback-by-district' : 'feedback-by-accessibility-area');
    o.textContent = t('stDlOgc');
  }

  function renderAreas() {
    var answers = S.data.areas;
    renderDownloads();
    if (!answers) return;
    renderSummary();
    if (showPartError('area-error', failure(answers))) {
      blank(['area-table']);
      S.areaLayer && S.areaLayer.clearLayers();
      S.labelLayer && S.labelLayer.clearLayers();
      return;
    }
    drawAreas();
    var a = answers[0];
    var districts = S.view.areas === 'districts';
    var rows = a.features.map(function (f) {
      var p = f.properties;
      return { key: p.code, head: VK.localName(p.name),
        cells: [intCell(p.count), intCell(p.open), intCell(p.answered), daysCell(p.median_days_to_answer),
          shareCell(p.answered_within_14_days)] };
    });
    rows.sort(function (x, y) { return x.head.localeCompare(y.head, locale()); });
    var cells = function (n) { return [intCell(n), { text: null }, { text: null }, { text: null }, { text: null }]; };
    if (typeof a.outside === 'number') {
      rows.push({ key: 'outside', head: t(districts ? 'stOutsideDistricts' : 'stOutsideAreas'), cells: cells(a.outside) });
    }
    fillTable($('area-table'), t(districts ? 'stAreaTableCaption_districts' : 'stAreaTableCaption_access'),
      [{ key: 'area', label: t('stColArea') }, { key: 'count', label: t('stColCount'), num: true },
        { key: 'open', label: t('stColOpen'), num: true }, { key: 'answered', label: t('stColAnswered'), num: true },
        { key: 'median_days_to_answer', label: t('stColMedianAnswer'), num: true },
        { key: 'answered_within_14_days', label: t('stColWithin14'), num: true }],
      rows, null);
  }

  function drawDensity() {
    if (!S.map) return;
    S.densityLayer.clearLayers();
    var a = S.data.density && S.data.density[0];
    var title = $('legend-density-title'), list = $('legend-density'), sum = $('density-summary');
    var on = S.view.density && a && !(a instanceof VK.ApiError);
    title.hidden = list.hidden = sum.hidden = $('note-density').hidden = !on;
    if (!on) return;
    var fs = a.features || [];
    var max = Math.max.apply(null, [0].concat(fs.map(function (f) { return f.properties.count || 0; })));
    var cls = classes(max, HEX_COLOURS);
    fs.forEach(function (f) {
      var c = classOf(f.properties.count || 0, cls);
      L.geoJSON(f, {
        pane: 'density',
        style: function () {
          return { color: '#5a0000', weight: 1, opacity: 1, fillColor: c ? c.colour : '#ffffff', fillOpacity: 0.85 };
        }
      }).bindTooltip(VK.textNode('span', t('stHexTooltip', { n: f.properties.count, count: fmtInt(f.properties.count) })),
        { sticky: true })
        .addTo(S.densityLayer);
    });
    title.textContent = t('stLegendDensity', { size: fmtCell(S.view.cell) });
    fillLegend(list, cls, false);
    sum.textContent = fs.length
      ? t('stDensitySummary', { n: fs.length, cells: fmtInt(fs.length), size: fmtCell(S.view.cell), max: fmtInt(max) })
      : t('stDensityEmpty');
  }

  function renderDensity() {
    var answers = S.data.density;
    renderDownloads();
    // The areas lose or regain their fill with the density layer.
    drawAreas();
    showPartError('density-error', answers ? failure(answers) : null);
    drawDensity();
  }

  /* ----- response times ----- */

  function responseCols(keyLabel) {
    return [{ key: 'key', label: keyLabel }, { key: 'count', label: t('stColCount'), num: true },
      { key: 'open', label: t('stColOpen'), num: true }, { key: 'answered', label: t('stColAnswered'), num: true },
      { key: 'median_days_to_answer', label: t('stColMedianAnswer'), num: true },
      { key: 'p90_days_to_answer', label: t('stColP90Answer'), num: true },
      { key: 'median_days_to_close', label: t('stColMedianClose'), num: true },
      { key: 'p90_days_to_close', label: t('stColP90Close'), num: true },
      { key: 'answered_within_14_days', label: t('stColWithin14'), num: true }];
  }

  function responseCells(g) {
    return [intCell(g.count), intCell(g.open), intCell(g.answered), daysCell(g.median_days_to_answer),
      daysCell(g.p90_days_to_answer), daysCell(g.median_days_to_close), daysCell(g.p90_days_to_close),
      shareCell(g.answered_within_14_days)];
  }

  function responseTable(table, caption, keyLabel, answer, field, name) {
    var rows = answer.groups.map(function (g) {
      return { key: g[field] === null ? 'none' : g[field], head: name(g[field]), cells: responseCells(g) };
    });
    rows.sort(function (x, y) { return x.head.localeCompare(y.head, locale()); });
    fillTable(table, caption, responseCols(keyLabel), rows,
      answer.overall ? { key: 'overall', head: t('stOverall'), cells: responseCells(answer.overall) } : null);
  }

  function ageLabel(age) {
    var m = /^(\d+)-(\d*)$/.exec(age || '');
    if (!m) return age;
    return m[2] ? t('stAgeRange', { from: m[1], to: m[2] }) : t('stAgeOver', { from: m[1] });
  }

  function renderResponse() {
    var answers = S.data.response;
    if (!answers) return;
    if (showPartError('response-error', failure(answers))) return blank(['resp-category-table', 'resp-district-table', 'waiting-table']);
    responseTable($('resp-category-table'), t('stRespCategoryCaption'), t('stColCategory'), answers[0], 'category', categoryName);
    responseTable($('resp-district-table'), t('stRespDistrictCaption'), t('stColDistrict'), answers[1], 'district', districtName);
    var waiting = answers[0].waiting || [];
    var total = waiting.reduce(function (s, w) { return s + w.count; }, 0);
    fillTable($('waiting-table'), t('stWaitingCaption'),
      [{ key: 'age', label: t('stColAge') }, { key: 'count', label: t('stColWaiting'), num: true }],
      waiting.map(function (w) { return { key: w.age, head: ageLabel(w.age), cells: [intCell(w.count)] }; }),
      { key: 'total', head: t('stTotal'), cells: [intCell(total)] });
  }

  function renderStaff() {
    var sec = $('staff-section');
    sec.hidden = !S.staff;
    if (!S.staff) return;
    $('staff-intro').textContent = t('stStaffIntro', { name: S.staff.name });
    var answers = S.data.staff;
    if (!answers) return;
    if (showPartError('staff-error', failure(answers))) return blank(['unit-table', 'resp-unit-table']);
    var a = answers[0];
    var groups = a.groups.slice().sort(function (x, y) { return y.count - x.count; });
    fillTable($('unit-table'), t('stUnitCaption'),
      [{ key: 'unit', label: t('stColUnit') }, { key: 'count', label: t('stColCount'), num: true }],
      groups.map(function (g) { return { key: g.unit === null ? 'none' : g.unit, head: unitName(g.unit), cells: [intCell(g.count)] }; }),
      { key: 'total', head: t('stTotal'), cells: [intCell(a.total)] });
    responseTable($('resp-unit-table'), t('stRespUnitCaption'), t('stColUnit'), answers[1], 'unit', unitName);
  }

  /* ---------- language ---------- */

  function onLanguage() {
    document.title = t('stTitle');
    var md = document.querySelector('meta[name="description"]');
    if (md) md.setAttribute('content', t('stMetaDescription'));
    if (!S.started) return;
    fillForm();
    setZoomControl();
    renderCategories();
    renderTime();
    renderAreas();
    renderDensity();
    renderResponse();
    renderStaff();
  }

  /* ---------- start ---------- */

  function bind() {
    $('filters').addEventListener('submit', onSubmit);
    $('f-clear').addEventListener('click', onClear);
    document.querySelectorAll('input[name="areas"]').forEach(function (r) {
      r.addEventListener('change', function () {
        if (!r.checked) return;
        S.view.areas = r.value;
        writeURL(false);
        loadAreas();
      });
    });
    $('density-on').addEventListener('change', function () {
      S.view.density = $('density-on').checked;
      writeURL(false);
      loadDensity();
    });
    $('density-cell').addEventListener('change', function () {
      S.view.cell = Number($('density-cell').value);
      writeURL(false);
      loadDensity();
    });
    document.querySelectorAll('input[name="bucket"]').forEach(function (r) {
      r.addEventListener('change', function () {
        if (!r.checked) return;
        S.view.bucket = r.value;
        writeURL(false);
        loadTime();
      });
    });
    window.addEventListener('popstate', function () {
      readURL();
      clearFormErrors();
      fillForm();
      loadAll();
    });
    // Charts are drawn at the width they have, so their text stays legible.
    window.addEventListener('resize', function () {
      clearTimeout(S.resizeTimer);
      S.resizeTimer = setTimeout(function () { renderCategories(); renderTime(); }, 150);
    });
  }

  function showLoadError() {
    var box = $('load-error');
    box.textContent = t('stLoadError');
    box.hidden = false;
  }

  function start() {
    readURL();
    VK.startPage({ bundles: ['stats'], onLanguage: onLanguage, onError: showLoadError }).then(function () {
      return Promise.all([
        VK.getJSON('/api/v1/config'),
        VK.getJSON('/api/v1/categories'),
        VK.getJSON('/api/v1/districts'),
        // Signed-in staff (401 otherwise) see the unit-level figures.
        VK.getJSON('/api/v1/auth/me').catch(function () { return null; })
      ]);
    }).then(function (r) {
      S.config = r[0];
      S.categories = r[1].categories || [];
      S.categories.forEach(function (c) { S.catById[c.id] = c; });
      (r[2].features || []).forEach(function (f) { S.distByCode[f.properties.code] = f; });
      S.staff = r[3];
      // Unit names are a nicety: without them the codes are shown.
      return S.staff ? VK.getJSON('/api/v1/units').catch(function () { return null; }) : null;
    }).then(function (units) {
      ((units && units.units) || []).forEach(function (u) { S.unitByCode[u.code] = u; });
      S.started = true;
      fillForm();
      initMap();
      bind();
      renderStaff();
      return loadAll();
    }).catch(function () {
      showLoadError();
      S.started = true;
    }).then(setReady);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
