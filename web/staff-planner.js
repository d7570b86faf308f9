/*
 * staff-planner.js — staff-planner.html, where a planner lands on signing
 * in (VKStaff.home): the surveys with their state, responses and results,
 * the budgeting rounds with their phase and counts, and the way to the
 * GIS layers (the OAPIF address to paste into QGIS or GDAL, the page of
 * layers with every collection's URLs and commands) and the statistics.
 * Everything here is read with STAFF-level GETs; the pages linked to do
 * the writing (planner and admin only, as the route table says).
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, t = VK.t, $ = VK.$, el = VK.el;
  var surveys = null, rounds = null;

  function count(n) { return n === null || n === undefined ? '–' : VK.formatNumber(n); }

  function renderSurveys() {
    if (!surveys) return;
    var body = $('pl-surveys-body');
    body.textContent = '';
    $('pl-surveys').hidden = !surveys.length;
    $('pl-no-surveys').hidden = surveys.length > 0;
    surveys.forEach(function (s) {
      var name = VK.localName(s.title) || s.slug;
      var tr = el('tr', { 'data-slug': s.slug });
      var th = el('th', { scope: 'row' });
      th.appendChild(el('a', { href: '/staff-survey-edit.html?slug=' + encodeURIComponent(s.slug) }, name));
      tr.appendChild(th);
      tr.appendChild(el('td', null, t('surveyState_' + s.state)));
      tr.appendChild(el('td', null, count(s.responses || 0)));
      var td = el('td');
      // Results exist once a survey has been published (docs/survey-results.md).
      if (s.state !== 'draft') {
        var a = el('a', { href: '/staff-survey-results.html?slug=' + encodeURIComponent(s.slug),
          'data-action': 'results' }, t('plannerResults'));
        a.appendChild(el('span', 'visually-hidden', ' ' + name));
        td.appendChild(a);
      } else {
        td.textContent = '–';
      }
      tr.appendChild(td);
      body.appendChild(tr);
    });
  }

  function renderRounds() {
    if (!rounds) return;
    var body = $('pl-rounds-body');
    body.textContent = '';
    $('pl-rounds').hidden = !rounds.length;
    $('pl-no-rounds').hidden = rounds.length > 0;
    rounds.forEach(function (r) {
      var tr = el('tr', { 'data-slug': r.slug });
      var th = el('th', { scope: 'row' });
      th.appendChild(el('a', { href: '/staff-budget.html?round=' + encodeURIComponent(r.slug) },
        VK.localName(r.title) || r.slug));
      tr.appendChild(th);
      tr.appendChild(el('td', null, r.phase ? t('bPhase_' + r.phase) : '–'));
      tr.appendChild(el('td', null, count(r.proposals)));
      tr.appendChild(el('td', null, count(r.ballots)));
      body.appendChild(tr);
    });
  }

  function load() {
    $('pl-oapif').value = location.origin + '/ogcapi';
    return Promise.all([
      VK.getJSON('/api/v1/staff/surveys'),
      VK.getJSON('/api/v1/staff/budget/rounds')
    ]).then(function (r) {
      surveys = r[0].surveys || [];
      rounds = r[1].rounds || [];
      renderSurveys();
      renderRounds();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    S.start({
      bundles: ['surveyedit', 'budget'],
      onLanguage: function () { renderSurveys(); renderRounds(); },
      onSignedIn: load
    });
  });
})();
