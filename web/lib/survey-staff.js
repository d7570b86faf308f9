/*
 * lib/survey-staff.js — what the survey pages for staff share: the staff
 * survey API of docs/surveys.md ("HTTP API"), the state changes a survey
 * in each state offers, who may write, and an API error in the page's
 * language with the JSON path it names. Load after lib/vk.js and
 * lib/staff.js.
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t;
  var BASE = '/api/v1/staff/surveys';

  // draft → published → closed → archived, and closed → published again.
  var ACTIONS = { draft: ['publish'], published: ['close'], closed: ['reopen', 'archive'], archived: [] };

  function url(slug, tail) { return BASE + '/' + encodeURIComponent(slug) + (tail ? '/' + tail : ''); }

  var api = {
    list: function () { return VK.getJSON(BASE); },
    get: function (slug) { return VK.getJSON(url(slug)); },
    create: function (def) { return VK.api('POST', BASE, def); },
    save: function (slug, def) { return VK.api('PUT', url(slug), def); },
    action: function (slug, name) { return VK.api('POST', url(slug, name)); },
    duplicate: function (slug, newSlug) { return VK.api('POST', url(slug, 'duplicate'), { slug: newSlug }); },
    setPublic: function (slug, keys) { return VK.api('PUT', url(slug, 'public'), { questions: keys }); }
  };

  // Planners and admins write; council reads.
  function canWrite(me) { return !!me && (me.role === 'planner' || me.role === 'admin'); }
  function canRead(me) { return canWrite(me) || (!!me && me.role === 'council'); }

  function stateName(s) { return t('surveyState_' + s); }
  function actionName(a) { return t('surveyAction_' + a); }

  // An API failure in the page's language: the code's own words when we
  // have them (surveyErr_<code>), the server's words otherwise; network and
  // server failures as the staff pages say them.
  function errorText(err) {
    if (!err || !err.status) return t('errNetwork');
    if (err.status >= 500) return t('errServer');
    if (err.status === 403) return t('errForbidden');
    var key = 'surveyErr_' + err.code;
    var own = t(key);
    return own === key ? (err.message || t('errGeneric')) : own;
  }

  VK.surveyStaff = { ACTIONS: ACTIONS, api: api, canWrite: canWrite, canRead: canRead,
    stateName: stateName, actionName: actionName, errorText: errorText };
})();
