/*
 * staff-walk-review.js — the council's review list (GET
 * /api/v1/staff/walk-review, docs/walks.md): walk findings and residents'
 * accessibility feedback, newest first. Each finding shows its type,
 * grade, groups, measurements with verdicts, photos and consensus, and for
 * council members and admins a review form (agree / disagree / unsure,
 * another grade, a comment) whose answer updates the consensus in place.
 * Each feedback item not yet a finding can be turned into one.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, W = VK.walkStaff, t = VK.t, $ = VK.$, el = VK.el;
  var LIMIT = 20;
  var st = { items: [], total: 0, offset: 0, features: {}, walks: [], feedback: {} };

  function filters() {
    var q = new URLSearchParams(location.search);
    return { kind: q.get('kind') || '', walk: q.get('walk') || '', reviewed: q.get('reviewed') || '',
      offset: Math.max(0, Number(q.get('offset')) || 0) };
  }

  function fillFilters() {
    var f = filters();
    W.fillSelect($('f-kind'), [['', t('wsKindBoth')], ['finding', t('wsKindFinding')], ['feedback', t('wsKindFeedback')]], f.kind);
    W.fillSelect($('f-walk'), [['', t('wsAllWalks')]].concat(st.walks.map(function (w) {
      return [String(w.id), w.title + ' (' + W.fmtDate(w.date) + ')'];
    })), f.walk);
    W.fillSelect($('f-reviewed'), [['', t('any')], ['no', t('wsReviewedNo')], ['yes', t('wsReviewedYes')]], f.reviewed);
  }

  function walkTitle(wid) {
    var w = st.walks.filter(function (x) { return x.id === wid; })[0];
    return w ? w.title : String(wid);
  }

  /* ---------- one finding ---------- */

  function row(dl, label, value) {
    dl.appendChild(el('dt', null, label));
    dl.appendChild(el('dd', null, value === null || value === undefined || value === '' ? '–' : String(value)));
  }

  function reviewForm(item, n) {
    var pre = 'rv-' + n, form = el('form', { class: 'ws-review-form', id: pre, novalidate: '' });
    var fields = { vote: pre + '-vote-agree', grade: pre + '-grade', comment: pre + '-comment' };
    form.appendChild(el('p', { class: 'field-error form-error', hidden: '' }));
    var fs = el('fieldset', { class: 'fieldset', 'aria-describedby': pre + '-vote-agree-error' });
    fs.appendChild(el('legend', null, t('wsVote')));
    var radios = el('div', 'radios ws-inline-radios');
    W.VOTES.forEach(function (v) {
      var d = el('div', 'radio');
      var input = el('input', { type: 'radio', name: pre + '-vote', id: pre + '-vote-' + v, value: v });
      if (item.my_review === v) input.checked = true;
      d.appendChild(input);
      d.appendChild(el('label', { for: pre + '-vote-' + v }, W.voteName(v)));
      radios.appendChild(d);
    });
    fs.appendChild(radios);
    fs.appendChild(el('p', { id: pre + '-vote-agree-error', class: 'field-error', hidden: '' }));
    form.appendChild(fs);

    var g = el('div', 'field');
    g.appendChild(el('label', { for: pre + '-grade' }, t('wsRegrade')));
    var sel = el('select', { id: pre + '-grade', name: 'grade', 'aria-describedby': pre + '-grade-error' });
    W.fillSelect(sel, [['', t('wsKeepGrade', { grade: W.gradeName(item.grade) })]].concat(
      W.GRADES.map(function (x) { return [x, W.gradeName(x)]; })), '');
    g.appendChild(sel);
    g.appendChild(el('p', { id: pre + '-grade-error', class: 'field-error', hidden: '' }));
    form.appendChild(g);

    var c = el('div', 'field');
    c.appendChild(el('label', { for: pre + '-comment' }, t('wsComment')));
    c.appendChild(el('textarea', { id: pre + '-comment', name: 'comment', rows: '2', maxlength: '2000',
      'aria-describedby': pre + '-comment-error' }));
    c.appendChild(el('p', { id: pre + '-comment-error', class: 'field-error', hidden: '' }));
    form.appendChild(c);
    form.appendChild(el('button', { type: 'submit', class: 'button button-small', id: pre + '-submit' },
      t('wsSaveReviewOf', { what: W.typeName(item.type) })));

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var vote = form.querySelector('input[type="radio"]:checked');
      if (!vote) { W.showError(form, { status: 400, code: 'missing_field', field: 'vote' }, fields); return; }
      var body = { vote: vote.value };
      if (sel.value) body.grade = sel.value;
      var comment = $(pre + '-comment').value.trim();
      if (comment) body.comment = comment;
      VK.api('PUT', '/api/v1/staff/walk-findings/' + encodeURIComponent(item.id) + '/review', body).then(function (j) {
        item.consensus = j.consensus;
        item.my_review = body.vote;
        S.clearErrors(form);
        $(pre + '-consensus').textContent = W.consensusText(j.consensus);
        S.announce(t('wsReviewSaved') + ' ' + W.consensusText(j.consensus));
      }, function (err) { W.showError(form, err, fields); });
    });
    return form;
  }

  function findingCard(item, n) {
    var f = st.features[item.id], p = f ? f.properties : item;
    var li = el('li', { class: 'card ws-card ws-grade-' + item.grade, 'data-kind': 'finding', 'data-id': item.id });
    var h = el('h3', 'card-title');
    h.appendChild(el('a', { href: '/staff-walk-finding.html?id=' + encodeURIComponent(item.id) },
      t('wsFindingHeading', { type: W.typeName(item.type), grade: W.gradeName(item.grade) })));
    li.appendChild(h);
    var dl = el('dl', 'details');
    row(dl, t('wsWalk'), item.walk ? walkTitle(item.walk) : t('wsFromFeedbackShort'));
    row(dl, t('wsStatus'), W.statusName(item.status));
    row(dl, t('wsLevel'), W.levelName(item.level));
    row(dl, t('wsPlace'), W.placeText(item.geometry));
    row(dl, t('wsGroups'), W.groupsText(p.groups));
    row(dl, t('description'), item.description);
    row(dl, t('colCreated'), VK.formatDate(item.created, true));
    li.appendChild(dl);
    li.appendChild(el('h4', null, t('wsMeasurements')));
    li.appendChild(W.measurementsList(p));
    li.appendChild(el('h4', null, t('wsPhotos')));
    li.appendChild(W.photosList(p, W.typeName(item.type)));
    li.appendChild(el('p', { class: 'ws-consensus', id: 'rv-' + n + '-consensus' }, W.consensusText(item.consensus)));
    if (W.canReview(S.me().role)) li.appendChild(reviewForm(item, n));
    return li;
  }

  /* ---------- one feedback item ---------- */

  function fromFeedbackForm(item, n) {
    var pre = 'ff-' + n;
    var det = el('details', { class: 'ws-fold', id: pre + '-fold' });
    det.appendChild(el('summary', null, t('wsMakeFinding')));
    var form = el('form', { id: pre, novalidate: '' });
    var fields = { type: pre + '-type', grade: pre + '-grade', groups: pre + '-group-0', walk: pre + '-walk',
      description: pre + '-description', id: pre + '-type' };
    form.appendChild(el('p', { class: 'field-error form-error', hidden: '' }));
    function field(key, label, control) {
      var d = el('div', 'field');
      d.appendChild(el('label', { for: pre + '-' + key }, label));
      control.id = pre + '-' + key;
      control.setAttribute('aria-describedby', pre + '-' + key + '-error');
      d.appendChild(control);
      d.appendChild(el('p', { id: pre + '-' + key + '-error', class: 'field-error', hidden: '' }));
      form.appendChild(d);
      return control;
    }
    var type = field('type', t('wsType'), el('select'));
    W.fillSelect(type, W.ref.checklist.types.map(function (x) { return [x.key, VK.localName(x.label)]; }), 'other');
    var grade = field('grade', t('wsGrade'), el('select'));
    W.fillSelect(grade, W.GRADES.map(function (x) { return [x, W.gradeName(x)]; }), 'haitta');
    var fs = el('fieldset', { class: 'fieldset', 'aria-describedby': pre + '-group-0-error' });
    fs.appendChild(el('legend', null, t('wsGroups')));
    var box = el('div', 'ws-checks');
    W.ref.checklist.groups.forEach(function (g, i) {
      var d = el('div', 'checkbox');
      d.appendChild(el('input', { type: 'checkbox', id: pre + '-group-' + i, value: g.key }));
      d.appendChild(el('label', { for: pre + '-group-' + i }, VK.localName(g.label)));
      box.appendChild(d);
    });
    fs.appendChild(box);
    fs.appendChild(el('p', { id: pre + '-group-0-error', class: 'field-error', hidden: '' }));
    form.appendChild(fs);
    var walk = field('walk', t('wsWalkOptional'), el('select'));
    W.fillSelect(walk, [['', t('wsNoWalk')]].concat(st.walks.map(function (w) { return [String(w.id), w.title]; })), '');
    var desc = field('description', t('wsDescriptionOptional'), el('textarea', { rows: '3', maxlength: '4000' }));
    form.appendChild(el('button', { type: 'submit', class: 'button button-small', id: pre + '-submit' },
      t('wsMakeFindingOf', { id: item.id })));
    var uuid = W.uuid();
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var body = { id: uuid, type: type.value, grade: grade.value,
        groups: Array.prototype.map.call(box.querySelectorAll('input:checked'), function (c) { return c.value; }) };
      if (walk.value) body.walk = Number(walk.value);
      if (desc.value.trim()) body.description = desc.value.trim();
      VK.api('POST', '/api/v1/staff/walk-findings/from-feedback/' + item.id, body).then(function (fe) {
        S.announce(t('wsFindingMade', { id: item.id }));
        item.finding = fe.id;
        var card = $('fb-' + n);
        card.parentNode.replaceChild(feedbackCard(item, n), card);
        $('fb-' + n + '-finding').focus();
      }, function (err) { W.showError(form, err, fields); });
    });
    det.appendChild(form);
    return det;
  }

  function feedbackCard(item, n) {
    var li = el('li', { class: 'card ws-card ws-feedback', id: 'fb-' + n, 'data-kind': 'feedback', 'data-id': String(item.id) });
    var h = el('h3', 'card-title');
    h.appendChild(el('a', { href: '/staff-item.html?id=' + item.id }, t('wsFeedbackHeading', { id: item.id })));
    li.appendChild(h);
    var dl = el('dl', 'details');
    row(dl, t('description'), item.description);
    row(dl, t('fStatus'), VK.statusName(item.status));
    row(dl, t('fDistrict'), W.districtName(item.district));
    row(dl, t('wsPlace'), W.placeText(item.geometry));
    row(dl, t('colCreated'), VK.formatDate(item.created, true));
    li.appendChild(dl);
    var fb = st.feedback[item.id];
    if (fb && fb.properties && fb.properties.photos) {
      li.appendChild(el('h4', null, t('wsPhotos')));
      li.appendChild(W.photosList(fb.properties, t('wsFeedbackHeading', { id: item.id })));
    }
    if (item.finding) {
      var p = el('p');
      p.appendChild(el('a', { id: 'fb-' + n + '-finding', href: '/staff-walk-finding.html?id=' + encodeURIComponent(item.finding) },
        t('wsMadeFinding')));
      li.appendChild(p);
    } else {
      li.appendChild(fromFeedbackForm(item, n));
    }
    return li;
  }

  /* ---------- the list ---------- */

  function render() {
    var ol = $('review-list');
    // A form opened stays open when the page is drawn again (a language switch).
    var opened = Array.prototype.map.call(ol.querySelectorAll('details[open]'), function (d) { return d.id; });
    ol.textContent = '';
    st.items.forEach(function (item, n) {
      ol.appendChild(item.kind === 'finding' ? findingCard(item, n) : feedbackCard(item, n));
    });
    opened.forEach(function (id) { var d = $(id); if (d) d.open = true; });
    if (!st.items.length) ol.appendChild(el('li', null, t('wsNothingToReview')));
    var from = st.total ? st.offset + 1 : 0, to = st.offset + st.items.length;
    $('list-count').textContent = t('wsCountText', { from: from, to: to, total: st.total, n: st.total });
    $('page-prev').hidden = st.offset === 0;
    $('page-next').hidden = to >= st.total;
    $('review-read-only').hidden = W.canReview(S.me().role);
  }

  function load() {
    var f = filters(), q = new URLSearchParams();
    if (f.kind) q.set('kind', f.kind);
    if (f.walk) q.set('walk', f.walk);
    if (f.reviewed) q.set('reviewed', f.reviewed);
    q.set('limit', String(LIMIT));
    q.set('offset', String(f.offset));
    return VK.getJSON('/api/v1/staff/walk-review?' + q.toString()).then(function (j) {
      st.items = j.items;
      st.total = j.total;
      st.offset = f.offset;
      // The list has no measurements or photos: the walks' findings have.
      var wids = [], fids = [];
      j.items.forEach(function (i) {
        if (i.kind === 'finding' && i.walk && wids.indexOf(i.walk) < 0) wids.push(i.walk);
        if (i.kind === 'feedback') fids.push(i.id);
      });
      return Promise.all(wids.map(function (w) {
        return VK.getJSON('/api/v1/walks/' + w + '/findings').then(function (fc) {
          fc.features.forEach(function (fe) { st.features[fe.id] = fe; });
        });
      }).concat(fids.map(function (id) {
        return VK.getJSON('/api/v1/staff/feedback/' + id).then(function (r) { st.feedback[id] = r.feedback; }, function () { /* shown without */ });
      })));
    }).then(render);
  }

  function go(params) {
    var q = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (params[k]) q.set(k, params[k]); });
    history.pushState(null, '', location.pathname + (q.toString() ? '?' + q.toString() : ''));
    return load().then(function () { $('list-heading').focus(); }, function (err) {
      W.showError($('filter-form'), err, { kind: 'f-kind', walk: 'f-walk', reviewed: 'f-reviewed' });
    });
  }

  function onSignedIn() {
    return Promise.all([W.load(), VK.getJSON('/api/v1/walks')]).then(function (r) {
      st.walks = r[1].walks || [];
      fillFilters();
      return load();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('filter-form').addEventListener('submit', function (e) {
      e.preventDefault();
      go({ kind: $('f-kind').value, walk: $('f-walk').value, reviewed: $('f-reviewed').value });
    });
    $('page-prev').addEventListener('click', function () {
      var f = filters();
      f.offset = String(Math.max(0, f.offset - LIMIT));
      go(f);
    });
    $('page-next').addEventListener('click', function () {
      var f = filters();
      f.offset = String(f.offset + LIMIT);
      go(f);
    });
    window.addEventListener('popstate', function () { fillFilters(); load(); });
    S.start({
      bundles: ['staffwalk'],
      onSignedIn: onSignedIn,
      onLanguage: function () {
        if (!W.ref.checklist || !S.me()) return;
        fillFilters();
        render();
      }
    });
  });
})();
