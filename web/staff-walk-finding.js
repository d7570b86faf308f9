/*
 * staff-walk-finding.js — staff-walk-finding.html?id=UUID: one finding of
 * an accessibility walk as staff see it (docs/walks.md): its details,
 * measurements with their verdicts, photos, the council's reviews and
 * consensus, the reviewer's own review (council and admins), the status
 * workflow (open → planned → fixed → verified, or rejected) with only the
 * changes the caller's role may make, and the history with who did what.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, W = VK.walkStaff, t = VK.t, $ = VK.$, el = VK.el;
  var id = new URLSearchParams(location.search).get('id') || '';
  var data = null;  // the last GET answer
  var walks = [];   // for "verified on a later walk"

  var STATUS_FIELDS = {
    status: 's-status', target_date: 's-target-date', unit: 's-unit', reason: 's-reason',
    how: 's-how', walk: 's-walk', explanation: 's-explanation'
  };
  var REVIEW_FIELDS = { vote: 'r-vote-agree', grade: 'r-grade', comment: 'r-comment' };

  function props() { return data.finding.properties; }
  function url() { return '/api/v1/staff/walk-findings/' + encodeURIComponent(id); }

  /* ---------- reading ---------- */

  function addRow(dl, label, value, key) {
    if (value === null || value === undefined || value === '') return;
    var dt = el('dt', null, label), dd = el('dd', null, String(value));
    if (key) dd.setAttribute('data-key', key);
    dl.appendChild(dt);
    dl.appendChild(dd);
  }

  function walkTitle(wid) {
    var w = walks.filter(function (x) { return x.id === wid; })[0];
    return w ? w.title : String(wid);
  }

  function renderDetails() {
    var p = props(), dl = $('details');
    var heading = t('wsFindingHeading', { type: W.typeName(p.type), grade: W.gradeName(p.grade) });
    $('page-heading').textContent = heading;
    document.title = heading + ' – Vaikuta';
    dl.textContent = '';
    addRow(dl, t('wsType'), W.typeName(p.type), 'type');
    addRow(dl, t('wsGrade'), W.gradeName(p.grade), 'grade');
    addRow(dl, t('wsStatus'), W.statusName(p.status), 'status');
    addRow(dl, t('wsGroups'), W.groupsText(p.groups), 'groups');
    addRow(dl, t('wsLevel'), W.levelName(p.level) + (p.special_area ? ' (' + p.special_area + ')' : ''), 'level');
    addRow(dl, t('fDistrict'), W.districtName(p.district));
    addRow(dl, t('wsPlace'), W.placeText(data.finding.geometry), 'place');
    if (p.surface) addRow(dl, t('wsSurface'), W.surfaceName(p.surface));
    addRow(dl, t('description'), p.description || '–');
    addRow(dl, t('wsSource'), p.source === 'feedback' ? t('wsFromFeedback', { id: p.feedback }) : t('wsFromWalk', { title: walkTitle(p.walk) }));
    if (p.target_date) addRow(dl, t('wsTargetDate'), W.fmtDate(p.target_date), 'target_date');
    if (p.unit) addRow(dl, t('wsUnit'), W.unitName(p.unit), 'unit');
    if (p.reason) addRow(dl, t('wsReason'), p.reason, 'reason');
    if (p.verified_how) addRow(dl, t('wsHow'), t('how_' + p.verified_how));
    if (p.explanation) addRow(dl, t('wsExplanation'), p.explanation, 'explanation');
    addRow(dl, t('colCreated'), VK.formatDate(p.created, true));
    addRow(dl, t('updated'), VK.formatDate(p.updated, true));
    var back = $('back-link');
    if (p.walk) {
      back.href = '/staff-walks.html?id=' + p.walk;
      back.textContent = t('wsBackToWalk');
    }
    var m = $('measurements'), ph = $('photos');
    m.textContent = '';
    m.appendChild(W.measurementsList(p));
    ph.textContent = '';
    ph.appendChild(W.photosList(p, W.typeName(p.type)));
  }

  function renderReviews() {
    var p = props(), body = $('reviews-body');
    $('consensus').textContent = W.consensusText(p.consensus);
    body.textContent = '';
    (data.reviews || []).forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('th', { scope: 'row' }, r.reviewer));
      tr.appendChild(el('td', null, W.voteName(r.vote)));
      tr.appendChild(el('td', null, r.grade ? W.gradeName(r.grade) : '–'));
      tr.appendChild(el('td', 'cell-description', r.comment || '–'));
      tr.appendChild(el('td', null, VK.formatDate(r.at, true)));
      body.appendChild(tr);
    });
    if (!(data.reviews || []).length) {
      var tr = el('tr');
      tr.appendChild(el('td', { colspan: '5' }, t('wsNoReviews')));
      body.appendChild(tr);
    }
  }

  function eventText(ev) {
    var parts = [ev.kind === 'created' ? t('wsEventCreated') : t('wsEventStatus', { status: W.statusName(ev.status) })];
    if (ev.target_date) parts.push(t('wsTargetDate') + ': ' + W.fmtDate(ev.target_date));
    if (ev.unit) parts.push(t('wsUnit') + ': ' + W.unitName(ev.unit));
    if (ev.reason) parts.push(t('wsReason') + ': ' + ev.reason);
    if (ev.how) parts.push(t('wsHow') + ': ' + t('how_' + ev.how) + (ev.how_walk ? ' (' + walkTitle(ev.how_walk) + ')' : ''));
    return parts.join('; ');
  }

  function renderHistory() {
    var ol = $('history');
    ol.textContent = '';
    data.history.forEach(function (ev) {
      var li = el('li', 'history-item');
      li.appendChild(el('p', 'history-when', VK.formatDate(ev.at, true) + ' – ' + (ev.actor || '–')));
      li.appendChild(el('p', null, eventText(ev)));
      if (ev.explanation) li.appendChild(el('p', null, t('wsExplanation') + ': ' + ev.explanation));
      ol.appendChild(li);
    });
  }

  /* ---------- the status form ---------- */

  function fillStatusForm() {
    var p = props(), me = S.me(), choices = W.transitions(p.status, me.role);
    $('status-now').textContent = t('wsStatusNow', { status: W.statusName(p.status) });
    $('status-form').hidden = !choices.length;
    $('status-read-only').hidden = !!choices.length;
    var keep = choices.indexOf($('s-status').value) >= 0 ? $('s-status').value : choices[0];
    W.fillSelect($('s-status'), choices.map(function (s) {
      return [s, s === p.status ? t('wsReplan') : W.statusName(s)];
    }), keep);
    var unit = $('s-unit').value || p.unit || '';
    W.fillSelect($('s-unit'), [['', t('wsChooseUnit')]].concat(W.ref.units.map(function (u) {
      return [u.code, VK.localName(u.name)];
    })), unit);
    W.fillSelect($('s-how'), W.HOWS.map(function (h) { return [h, t('how_' + h)]; }), $('s-how').value || 'visit');
    var wk = $('s-walk').value;
    W.fillSelect($('s-walk'), [['', t('wsChooseWalk')]].concat(walks.map(function (w) {
      return [String(w.id), w.title + ' (' + W.fmtDate(w.date) + ')'];
    })), wk);
    if (!$('s-target-date').value && p.target_date) $('s-target-date').value = p.target_date;
    showStatusFields();
  }

  function showStatusFields() {
    var st = $('s-status').value;
    $('s-target-date-field').hidden = st !== 'planned';
    $('s-unit-field').hidden = st !== 'planned';
    $('s-reason-field').hidden = st !== 'rejected';
    $('s-how-field').hidden = st !== 'verified';
    $('s-walk-field').hidden = st !== 'verified' || $('s-how').value !== 'walk';
  }

  function statusBody() {
    var st = $('s-status').value, body = { status: st };
    var expl = $('s-explanation').value.trim();
    if (expl) body.explanation = expl;
    if (st === 'planned') {
      if ($('s-target-date').value) body.target_date = $('s-target-date').value;
      if ($('s-unit').value) body.unit = $('s-unit').value;
    }
    if (st === 'rejected' && $('s-reason').value.trim()) body.reason = $('s-reason').value.trim();
    if (st === 'verified') {
      body.how = $('s-how').value;
      if (body.how === 'walk' && $('s-walk').value) body.walk = Number($('s-walk').value);
    }
    return body;
  }

  function submitStatus(e) {
    e.preventDefault();
    var form = $('status-form'), body = statusBody();
    var vars = { to: W.statusName(body.status), from: W.statusName(props().status) };
    VK.api('POST', url() + '/status', body).then(function () {
      $('s-explanation').value = '';
      $('s-reason').value = '';
      return refresh().then(function () {
        S.clearErrors(form);
        S.announce(t('wsStatusSaved', { status: W.statusName(body.status) }));
      });
    }, function (err) {
      if (err.status === 409 || err.status === 403) {
        // Someone changed it meanwhile (or the role may not): show the
        // finding as it is now, then the refusal at the status.
        return refresh().then(function () {
          vars.from = W.statusName(props().status);
          if (!$('status-form').hidden) W.showError(form, err, STATUS_FIELDS, vars);
          else S.announce(W.errorText(err, vars));
        });
      }
      W.showError(form, err, STATUS_FIELDS, vars);
    });
  }

  /* ---------- the review form ---------- */

  function myReview() {
    var me = S.me();
    return (data.reviews || []).filter(function (r) { return me && r.reviewer === me.name; })[0] || null;
  }

  function fillReviewForm(reset) {
    var me = S.me(), form = $('review-form');
    form.hidden = !W.canReview(me.role);
    if (form.hidden) return;
    var mine = myReview(), box = $('r-vote');
    var vote = reset ? (mine && mine.vote) : (form.querySelector('input[name="vote"]:checked') || {}).value || (mine && mine.vote);
    box.textContent = '';
    W.VOTES.forEach(function (v) {
      var div = el('div', 'radio');
      var input = el('input', { type: 'radio', name: 'vote', id: 'r-vote-' + v, value: v });
      if (vote === v) input.checked = true;
      div.appendChild(input);
      div.appendChild(el('label', { for: 'r-vote-' + v }, W.voteName(v)));
      box.appendChild(div);
    });
    var grade = reset ? ((mine && mine.grade) || '') : $('r-grade').value;
    W.fillSelect($('r-grade'), [['', t('wsKeepGrade', { grade: W.gradeName(props().grade) })]].concat(
      W.GRADES.map(function (g) { return [g, W.gradeName(g)]; })), grade);
    if (reset) $('r-comment').value = (mine && mine.comment) || '';
    $('r-withdraw').hidden = !mine;
  }

  function afterReview(form, message) {
    return refresh().then(function () {
      fillReviewForm(true);
      S.clearErrors(form);
      S.announce(message + ' ' + W.consensusText(props().consensus));
    });
  }

  function submitReview(e) {
    e.preventDefault();
    var form = $('review-form');
    var vote = form.querySelector('input[name="vote"]:checked');
    if (!vote) {
      W.showError(form, { status: 400, code: 'missing_field', field: 'vote' }, REVIEW_FIELDS);
      return;
    }
    var body = { vote: vote.value };
    if ($('r-grade').value) body.grade = $('r-grade').value;
    if ($('r-comment').value.trim()) body.comment = $('r-comment').value.trim();
    VK.api('PUT', url() + '/review', body).then(function () {
      return afterReview(form, t('wsReviewSaved'));
    }, function (err) { W.showError(form, err, REVIEW_FIELDS); });
  }

  function withdrawReview() {
    var form = $('review-form');
    VK.api('DELETE', url() + '/review').then(function () {
      return afterReview(form, t('wsReviewWithdrawn'));
    }, function (err) { W.showError(form, err, REVIEW_FIELDS); });
  }

  /* ---------- loading ---------- */

  function render() {
    renderDetails();
    renderReviews();
    renderHistory();
    fillStatusForm();
  }

  function refresh() {
    return VK.getJSON(url()).then(function (j) { data = j; render(); });
  }

  function onSignedIn() {
    if (!id) {
      $('load-error').textContent = t('wsErrNoFinding');
      $('load-error').hidden = false;
      $('finding').hidden = true;
      return null;
    }
    return Promise.all([W.load(), VK.getJSON(url()), VK.getJSON('/api/v1/walks')]).then(function (r) {
      data = r[1];
      walks = r[2].walks || [];
      render();
      fillReviewForm(true);
    }, function (err) {
      if (err.status === 401) { S.signedOut(); return; }
      $('finding').hidden = true;
      $('load-error').textContent = err.status === 404 ? t('wsErrNoFinding') : t('errLoad') + ' ' + err.message;
      $('load-error').hidden = false;
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('s-status').addEventListener('change', showStatusFields);
    $('s-how').addEventListener('change', showStatusFields);
    $('status-form').addEventListener('submit', submitStatus);
    $('review-form').addEventListener('submit', submitReview);
    $('r-withdraw').addEventListener('click', withdrawReview);
    S.start({
      bundles: ['staffwalk'],
      onSignedIn: onSignedIn,
      onLanguage: function () {
        if (!data) return;
        render();
        fillReviewForm(false);
      }
    });
  });
})();
