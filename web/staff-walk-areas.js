/*
 * staff-walk-areas.js — staff-walk-areas.html: the walks' figures per area
 * (GET /api/v1/walks/areas, docs/walks.md "Per area") and one area over
 * time (GET /api/v1/walks/areas/{code}/timeline). Every chart is a figure
 * of lib/charts.js with its table of the same numbers, so nothing rests
 * on the picture: the accessibility score per area, findings by grade per
 * area, and the score and open/fixed counts per period.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, W = VK.walkStaff, C = VK.charts, t = VK.t, $ = VK.$, el = VK.el;
  var st = { areas: [], timeline: null, set: 'accessibility-areas' };
  var FIELDS = { areas: 'a-set', from: 'a-from', to: 'a-to' };

  function fmt(n, d) { return C.fmt(n, d); }

  function scoreText(s) { return s === null || s === undefined ? t('wsNoScore') : fmt(s); }

  function areaCharts() {
    var box = $('area-charts');
    box.textContent = '';
    if (!st.areas.length) { box.appendChild(el('p', null, t('wsNoAreas'))); return; }
    var name = function (a) { return VK.localName(a.name) || a.code; };
    box.appendChild(C.bars({
      id: 'chart-score',
      title: t('wsChartScore'),
      max: 100,
      items: st.areas.map(function (a) { return { key: a.code, label: name(a), value: a.score, display: scoreText(a.score) }; }),
      cols: [{ label: t('wsTimeArea') }, { label: t('wsColScore'), num: true }, { label: t('wsColFindings'), num: true },
        { label: t('wsColOpen'), num: true }, { label: t('wsColFixed'), num: true }, { label: t('wsColMedian'), num: true },
        { label: t('wsColWalked'), num: true }],
      rows: st.areas.map(function (a) {
        var open = (a.by_status.open || 0) + (a.by_status.planned || 0);
        return { head: name(a), key: a.code, cells: [
          { text: scoreText(a.score), value: a.score },
          { text: fmt(a.findings), value: a.findings },
          { text: fmt(open), value: open },
          { text: fmt(a.fixed), value: a.fixed },
          { text: fmt(a.median_days_to_fixed, 1), value: a.median_days_to_fixed },
          { text: fmt(a.walked_m), value: a.walked_m }] };
      })
    }));
    box.appendChild(C.stacked({
      id: 'chart-grades',
      title: t('wsChartGrades'),
      headLabel: t('wsTimeArea'),
      columns: W.GRADES.map(function (g) { return { key: g, label: W.gradeName(g) }; }),
      rows: st.areas.map(function (a) {
        return { key: a.code, label: name(a), cells: W.GRADES.map(function (g) {
          var n = a.by_grade[g] || 0;
          return { value: n, display: fmt(n) };
        }) };
      })
    }));
  }

  function timeCharts() {
    var box = $('time-charts');
    box.textContent = '';
    var tl = st.timeline;
    if (!tl) return;
    if (!tl.points.length) { box.appendChild(el('p', null, t('wsNoPoints'))); return; }
    var area = st.areas.filter(function (a) { return a.code === tl.area; })[0];
    var an = area ? (VK.localName(area.name) || area.code) : tl.area;
    box.appendChild(C.columns({
      id: 'chart-timeline',
      title: t('wsChartTimeline', { area: an }),
      items: tl.points.map(function (p) {
        return { key: p.period, label: p.period, short: p.period, value: p.score, display: scoreText(p.score) };
      }),
      cols: [{ label: t('wsPeriod') }, { label: t('wsColScore'), num: true }, { label: t('wsColFindings'), num: true },
        { label: t('wsColOpen'), num: true }, { label: t('wsColFixed'), num: true }, { label: t('wsColWalked'), num: true }],
      rows: tl.points.map(function (p) {
        return { head: p.period, key: p.period, cells: [
          { text: scoreText(p.score), value: p.score },
          { text: fmt(p.findings), value: p.findings },
          { text: fmt(p.open), value: p.open },
          { text: fmt(p.fixed), value: p.fixed },
          { text: fmt(p.walked_m), value: p.walked_m }] };
      })
    }));
  }

  function fillSelects() {
    W.fillSelect($('a-set'), [['accessibility-areas', t('wsSetSpecial')], ['districts', t('wsSetDistricts')]], st.set);
    var keep = $('t-area').value || (st.timeline && st.timeline.area);
    W.fillSelect($('t-area'), st.areas.map(function (a) { return [a.code, VK.localName(a.name) || a.code]; }), keep);
    W.fillSelect($('t-interval'), [['month', t('wsMonth')], ['year', t('wsYear')]], $('t-interval').value || 'month');
  }

  function loadAreas() {
    var q = new URLSearchParams({ areas: st.set });
    if ($('a-from').value) q.set('from', $('a-from').value);
    if ($('a-to').value) q.set('to', $('a-to').value);
    return VK.getJSON('/api/v1/walks/areas?' + q.toString()).then(function (j) {
      st.areas = j.areas;
      fillSelects();
      areaCharts();
    });
  }

  function loadTimeline() {
    var code = $('t-area').value;
    if (!code) return Promise.resolve();
    return VK.getJSON('/api/v1/walks/areas/' + encodeURIComponent(code) + '/timeline?interval=' + $('t-interval').value)
      .then(function (j) { st.timeline = j; timeCharts(); });
  }

  function onSignedIn() {
    return W.load().then(function () {
      fillSelects();
      return loadAreas();
    }).then(function () {
      // The first area with a score (else the first) over time.
      var first = st.areas.filter(function (a) { return a.score !== null; })[0] || st.areas[0];
      if (first) $('t-area').value = first.code;
      return loadTimeline();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('area-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var form = $('area-form');
      st.set = $('a-set').value;
      $('t-area').value = '';
      loadAreas().then(function () {
        S.clearErrors(form);
        S.announce(t('wsAreasShown'));
        return loadTimeline();
      }, function (err) { W.showError(form, err, FIELDS); });
    });
    $('time-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var form = $('time-form');
      loadTimeline().then(function () {
        S.clearErrors(form);
        S.announce(t('wsTimelineShown'));
      }, function (err) { W.showError(form, err, { interval: 't-interval', code: 't-area' }); });
    });
    S.start({
      bundles: ['staffwalk'],
      onSignedIn: onSignedIn,
      onLanguage: function () {
        if (!W.ref.checklist || !S.me()) return;
        fillSelects();
        areaCharts();
        timeCharts();
      }
    });
  });
})();
