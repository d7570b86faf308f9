/*
 * lib/charts.js — the results pages' charts, plain SVG: horizontal bars
 * (choices, ranking, budget items), columns (a scale's or a number's
 * distribution), stacked bars (a matrix) and a timeline. Each chart is a
 * <figure> whose caption names it, the picture (role="img", named by the
 * caption and a one-line summary) and a real <table> with the same figures
 * beside it, so the numbers never rest on the picture or on colour: every
 * bar has its number written next to it, every stacked segment its column's
 * number, which the legend spells out.
 *
 * A value of null is a figure not shown (the public side's "fewer than k"):
 * no bar, its words (row.display) in the picture and the table alike.
 * The picture is drawn at the width of its box when made; the page calls
 * VK.charts.redraw() after a resize. Load after lib/vk.js.
 */
(function () {
  'use strict';

  var VK = window.VK, el = VK.el, svg = VK.svg;

  var INK = '#1b1f23', GRID = '#c4c9ce', BAR = '#0a4f7e', FONT = 14;
  // Stacked segments: dark to light, every one ≥ 3:1 against white or
  // carrying a dark outline; each is also numbered (legend and table).
  var SEGMENTS = ['#08306b', '#2b7bba', '#89bedc', '#d7e8f3', '#a63603', '#f16913', '#fdae6b', '#fee6ce'];

  var drawn = [];  // [{box, draw}] for redraw()
  var seq = 0;

  function clear(n) { while (n.firstChild) n.removeChild(n.firstChild); }

  function width(box) { return Math.max(240, Math.round(box.clientWidth || 600)); }

  function fmt(n, digits) { return n === null || n === undefined ? '–' : VK.formatNumber(n, digits); }

  // "about 7.5 px a character": enough to keep labels apart.
  function fits(text, px) { return String(text).length * FONT * 0.56 <= px; }

  function cut(text, px) {
    text = String(text);
    var n = Math.floor(px / (FONT * 0.56));
    return text.length <= n ? text : text.slice(0, Math.max(1, n - 1)) + '…';
  }

  function niceTop(max) {
    if (max <= 4) return { top: Math.max(1, Math.ceil(max)), step: 1 };
    var raw = max / 4, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
    var step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    return { top: Math.ceil(max / step) * step, step: step };
  }

  function root(w, h, labelId, summary) {
    var s = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, width: String(w), height: String(h),
      role: 'img', 'aria-label': summary, focusable: 'false', class: 'chart-svg' });
    if (labelId) s.setAttribute('aria-describedby', labelId);
    return s;
  }

  /* ---------- the table beside every chart ---------- */

  // cols: [{label, num}] (the first is the row heads); rows: [{head, key,
  // cells: [{text, value}]}]. Numeric cells keep their raw value in
  // data-value (null: ""), which the tests compare with the API.
  function table(caption, cols, rows, foot) {
    // A wide table scrolls sideways on a phone: its box takes the focus
    // (so the keyboard scrolls it too) and is named by the caption.
    var capId = 'chart-table-' + (++seq);
    var wrap = el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': capId });
    var tb = el('table', 'data-table chart-table');
    tb.appendChild(el('caption', { id: capId }, caption));
    var thead = el('thead'), tr = el('tr');
    cols.forEach(function (c) { tr.appendChild(el('th', { scope: 'col', class: c.num ? 'num' : '' }, c.label)); });
    thead.appendChild(tr);
    tb.appendChild(thead);
    function row(r, parent) {
      var tr = el('tr');
      if (r.key !== undefined && r.key !== null) tr.setAttribute('data-key', String(r.key));
      tr.appendChild(el('th', { scope: 'row' }, r.head));
      r.cells.forEach(function (c, i) {
        var td = el('td', { class: cols[i + 1] && cols[i + 1].num ? 'num' : '' }, c.text);
        if (c.value !== undefined) td.setAttribute('data-value', c.value === null ? '' : String(c.value));
        if (c.suppressed) td.setAttribute('data-suppressed', 'true');
        tr.appendChild(td);
      });
      parent.appendChild(tr);
    }
    var tbody = el('tbody');
    rows.forEach(function (r) { row(r, tbody); });
    tb.appendChild(tbody);
    if (foot) {
      var tf = el('tfoot');
      row(foot, tf);
      tb.appendChild(tf);
    }
    wrap.appendChild(tb);
    return wrap;
  }

  // The figure: caption, picture box (drawn now and on redraw), table.
  function figure(opts, draw) {
    var id = 'chart-' + (++seq);
    var fig = el('figure', { class: 'chart', id: opts.id || id });
    fig.appendChild(el('figcaption', { id: id + '-cap', class: 'chart-caption' }, opts.title));
    var box = el('div', 'chart-box');
    fig.appendChild(box);
    fig.appendChild(table(opts.caption || opts.title, opts.cols, opts.rows, opts.foot));
    var entry = { box: box, draw: function () { clear(box); box.appendChild(draw(width(box), id + '-cap')); } };
    drawn.push(entry);
    // Drawn once the figure is in the page (its width is known then).
    window.requestAnimationFrame(function () { if (box.isConnected) entry.draw(); });
    return fig;
  }

  function redraw() {
    drawn = drawn.filter(function (d) { return d.box.isConnected; });
    drawn.forEach(function (d) { d.draw(); });
  }

  function summaryOf(items) {
    return items.map(function (i) { return i.label + ': ' + i.display; }).join('; ');
  }

  /* ---------- horizontal bars ---------- */

  // items: [{label, value (number or null), display (words beside the bar)}]
  function hbars(items, w, labelId, max) {
    var rowH = FONT + 30, h = items.length * rowH + 6;
    max = max || Math.max.apply(null, items.map(function (i) { return i.value || 0; })) || 1;
    var s = root(w, h, labelId, summaryOf(items));
    var g = svg('g', { 'aria-hidden': 'true' });
    items.forEach(function (it, i) {
      var y = i * rowH;
      g.appendChild(svg('text', { x: 0, y: y + FONT, 'font-size': FONT, fill: INK }, cut(it.label, w)));
      var valW = Math.min(w * 0.45, String(it.display).length * FONT * 0.56 + 8);
      var plot = w - valW;
      var bw = it.value ? Math.max(2, (it.value / max) * plot) : 0;
      var by = y + FONT + 6;
      if (it.value === null) {
        // Not shown: an outline only, and its words.
        g.appendChild(svg('rect', { x: 0.5, y: by + 0.5, width: 12, height: 15, fill: 'none', stroke: INK, 'stroke-dasharray': '3 2' }));
        bw = 14;
      } else {
        g.appendChild(svg('rect', { x: 0, y: by, width: bw, height: 16, fill: BAR }));
      }
      g.appendChild(svg('text', { x: bw + 6, y: by + 13, 'font-size': FONT, fill: INK }, cut(it.display, w - bw - 6)));
    });
    s.appendChild(g);
    return s;
  }

  // opts: {title, caption, items: [{label, value, display, key}], cols,
  // rows} — cols/rows make the table (default: label and display).
  function bars(opts) {
    if (!opts.cols) {
      opts.cols = [{ label: opts.headLabel || '' }, { label: opts.valueLabel || '', num: true }];
      opts.rows = opts.items.map(function (i) {
        return { head: i.label, key: i.key, cells: [{ text: i.display, value: i.value, suppressed: i.value === null }] };
      });
    }
    return figure(opts, function (w, labelId) { return hbars(opts.items, w, labelId, opts.max); });
  }

  /* ---------- columns (distribution, timeline) ---------- */

  function vcolumns(items, w, labelId, opts) {
    var h = 220, left = 8 + FONT * 0.56 * 6, right = 8, top = 10, bottom = FONT + 14;
    var plotW = w - left - right, plotH = h - top - bottom;
    var max = Math.max.apply(null, items.map(function (i) { return i.value || 0; }));
    var nt = niceTop(max || 1);
    var s = root(w, h, labelId, opts.summary || summaryOf(items));
    var g = svg('g', { 'aria-hidden': 'true' });
    for (var v = 0; v <= nt.top + 1e-9; v += nt.step) {
      var y = top + plotH - (v / nt.top) * plotH;
      g.appendChild(svg('line', { x1: left, x2: w - right, y1: y, y2: y, stroke: v === 0 ? INK : GRID, 'stroke-width': 1 }));
      g.appendChild(svg('text', { x: left - 6, y: y + 5, 'text-anchor': 'end', 'font-size': FONT, fill: INK }, fmt(v)));
    }
    var slot = plotW / Math.max(1, items.length);
    var barW = Math.max(1, Math.min(56, slot * 0.8));
    var longest = Math.max.apply(null, items.map(function (i) { return String(i.short || i.label).length; }));
    var every = Math.max(1, Math.ceil((longest * FONT * 0.56 + 10) / slot));
    items.forEach(function (it, i) {
      var x = left + i * slot + (slot - barW) / 2;
      if (it.value === null) {
        g.appendChild(svg('rect', { x: x + 0.5, y: top + plotH - 15.5, width: Math.max(1, barW - 1), height: 15,
          fill: 'none', stroke: INK, 'stroke-dasharray': '3 2' }));
      } else {
        var bh = (it.value / nt.top) * plotH;
        g.appendChild(svg('rect', { x: x, y: top + plotH - bh, width: barW, height: Math.max(0, bh), fill: BAR }));
        // The count on the bar when there is room for it.
        if (!opts.noValues && fits(fmt(it.value), slot) && bh + 16 < plotH) {
          g.appendChild(svg('text', { x: x + barW / 2, y: top + plotH - bh - 4, 'text-anchor': 'middle', 'font-size': FONT - 2, fill: INK }, fmt(it.value)));
        }
      }
      if (i % every === 0) {
        g.appendChild(svg('text', { x: left + i * slot + slot / 2, y: h - 6, 'text-anchor': 'middle', 'font-size': FONT, fill: INK },
          String(it.short || it.label)));
      }
    });
    s.appendChild(g);
    return s;
  }

  // opts: as bars; items may have `short` (the axis label).
  function columns(opts) {
    if (!opts.cols) {
      opts.cols = [{ label: opts.headLabel || '' }, { label: opts.valueLabel || '', num: true }];
      opts.rows = opts.items.map(function (i) {
        return { head: i.label, key: i.key, cells: [{ text: i.display, value: i.value, suppressed: i.value === null }] };
      });
    }
    return figure(opts, function (w, labelId) { return vcolumns(opts.items, w, labelId, opts); });
  }

  // A timeline: [{date: 'YYYY-MM-DD', n}] with the days between filled with 0.
  function timeline(opts) {
    var days = opts.days || [];
    var byDate = {};
    days.forEach(function (d) { byDate[d.date] = d.n; });
    var items = [];
    if (days.length) {
      var d0 = Date.parse(days[0].date + 'T00:00:00Z'), d1 = Date.parse(days[days.length - 1].date + 'T00:00:00Z');
      for (var t = d0; t <= d1 && items.length < 3660; t += 86400000) {
        var iso = new Date(t).toISOString().slice(0, 10);
        var n = byDate[iso] || 0;
        items.push({ key: iso, label: VK.formatDate(iso), short: VK.formatDate(iso).replace(/\.?\d{4}$/, ''), value: n, display: fmt(n) });
      }
    }
    var total = days.reduce(function (a, d) { return a + d.n; }, 0);
    return columns({
      title: opts.title, caption: opts.caption, headLabel: opts.headLabel, valueLabel: opts.valueLabel,
      summary: opts.summary || (opts.title + ': ' + fmt(total)), noValues: items.length > 31,
      items: items,
      // The table lists only the days with answers.
      cols: [{ label: opts.headLabel }, { label: opts.valueLabel, num: true }],
      rows: days.map(function (d) { return { head: VK.formatDate(d.date), key: d.date, cells: [{ text: fmt(d.n), value: d.n }] }; })
    });
  }

  /* ---------- stacked bars (a matrix) ---------- */

  // opts: {title, caption, columns: [{key, label}], rows: [{key, label,
  // cells: [{value, display}] (in columns' order), total}], headLabel}.
  function stacked(opts) {
    var cols = opts.columns;
    var tcols = [{ label: opts.headLabel || '' }].concat(cols.map(function (c, i) {
      return { label: (i + 1) + ' ' + c.label, num: true };
    }));
    var trows = opts.rows.map(function (r) {
      return { head: r.label, key: r.key, cells: r.cells.map(function (c) {
        return { text: c.display, value: c.value, suppressed: c.value === null };
      }) };
    });
    var fig = figure({ title: opts.title, caption: opts.caption, cols: tcols, rows: trows, id: opts.id }, function (w, labelId) {
      var rowH = FONT + 34, legendH = cols.length * (FONT + 8) + 6;
      var h = opts.rows.length * rowH + legendH;
      var summary = opts.rows.map(function (r) {
        return r.label + ': ' + r.cells.map(function (c, i) { return cols[i].label + ' ' + c.display; }).join(', ');
      }).join('; ');
      var s = root(w, h, labelId, summary);
      var g = svg('g', { 'aria-hidden': 'true' });
      opts.rows.forEach(function (r, ri) {
        var y = ri * rowH;
        g.appendChild(svg('text', { x: 0, y: y + FONT, 'font-size': FONT, fill: INK }, cut(r.label, w)));
        var sum = r.cells.reduce(function (a, c) { return a + (c.value || 0); }, 0) || 1;
        var x = 0, by = y + FONT + 6;
        r.cells.forEach(function (c, i) {
          if (!c.value) return;
          var cw = (c.value / sum) * w;
          var fill = SEGMENTS[i % SEGMENTS.length];
          g.appendChild(svg('rect', { x: x, y: by, width: cw, height: 20, fill: fill, stroke: '#ffffff', 'stroke-width': 1 }));
          // The column's number in the segment: the legend says which.
          if (cw >= 18) {
            g.appendChild(svg('text', { x: x + cw / 2, y: by + 15, 'text-anchor': 'middle', 'font-size': FONT - 1,
              fill: (i % 4) < 2 ? '#ffffff' : INK }, String(i + 1)));
          }
          x += cw;
        });
      });
      var ly = opts.rows.length * rowH + 4;
      cols.forEach(function (c, i) {
        var yy = ly + i * (FONT + 8);
        g.appendChild(svg('rect', { x: 0, y: yy, width: 16, height: FONT, fill: SEGMENTS[i % SEGMENTS.length], stroke: INK, 'stroke-width': 0.5 }));
        g.appendChild(svg('text', { x: 22, y: yy + FONT - 2, 'font-size': FONT, fill: INK }, cut((i + 1) + ' = ' + c.label, w - 24)));
      });
      s.appendChild(g);
      return s;
    });
    return fig;
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(redraw, 150);
  });

  VK.charts = { bars: bars, columns: columns, stacked: stacked, timeline: timeline, table: table, redraw: redraw, fmt: fmt };
})();
