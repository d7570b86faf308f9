/*
 * ask-mail.js — "tell me by e-mail": the optional form at the end of a
 * survey (what was done with the answers) and of a ballot (the results).
 * The address is sent in a request of its own, after the answers, so it is
 * stored apart from them (docs/mail.md); nothing is sent without the
 * consent box ticked. VK.askMail(container, url, kind) fills container
 * (kind 'survey' or 'budget' picks the wording).
 */
(function () {
  'use strict';
  var VK = window.VK;
  var t = VK.t;
  var n = 0;
  var asked = {}; // url → true once saved: a language switch draws the box again

  function askMail(box, url, kind) {
    var id = 'ask-mail-' + (++n);
    box.textContent = '';
    if (asked[url]) {
      box.appendChild(VK.el('p', { class: 'ask-mail' }, t('askMailDone')));
      return;
    }
    var form = VK.el('form', { class: 'ask-mail', novalidate: '', 'aria-labelledby': id + '-h' });
    form.appendChild(VK.el('h3', { id: id + '-h' }, t(kind === 'budget' ? 'askMailHeadingBudget' : 'askMailHeadingSurvey')));
    form.appendChild(VK.el('p', { id: id + '-privacy', class: 'hint' }, t('askMailPrivacy')));
    var emailField = VK.el('div', 'field');
    emailField.appendChild(VK.el('label', { for: id + '-email' }, t('askMailEmail')));
    var email = VK.el('input', { type: 'email', id: id + '-email', name: 'email', autocomplete: 'email',
      spellcheck: 'false', 'aria-describedby': id + '-privacy ' + id + '-email-error' });
    emailField.appendChild(email);
    var emailError = VK.el('p', { id: id + '-email-error', class: 'field-error', hidden: '' });
    emailField.appendChild(emailError);
    form.appendChild(emailField);
    var consentField = VK.el('div', 'field');
    var check = VK.el('div', 'ask-mail-check');
    var consent = VK.el('input', { type: 'checkbox', id: id + '-consent', name: 'consent',
      'aria-describedby': id + '-consent-error' });
    check.appendChild(consent);
    check.appendChild(VK.el('label', { for: id + '-consent' }, t('askMailConsent')));
    consentField.appendChild(check);
    var consentError = VK.el('p', { id: id + '-consent-error', class: 'field-error', hidden: '' });
    consentField.appendChild(consentError);
    form.appendChild(consentField);
    var button = VK.el('button', { type: 'submit', class: 'button button-secondary' }, t('askMailSend'));
    form.appendChild(button);
    var status = VK.el('p', { role: 'status', class: 'ask-mail-status' });
    form.appendChild(status);
    box.appendChild(form);

    function fieldError(p, input, text) {
      p.textContent = text || '';
      p.hidden = !text;
      if (text) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
    }

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      fieldError(emailError, email, '');
      fieldError(consentError, consent, '');
      status.textContent = '';
      var v = email.value.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) {
        fieldError(emailError, email, t('askMailBadEmail'));
        email.focus();
        return;
      }
      if (!consent.checked) {
        fieldError(consentError, consent, t('askMailNeedConsent'));
        consent.focus();
        return;
      }
      button.disabled = true;
      VK.api('POST', url, { email: v, language: VK.lang(), consent: true }).then(function () {
        asked[url] = true;
        form.textContent = '';
        var done = VK.el('p', { role: 'status', tabindex: '-1' }, t('askMailDone'));
        form.appendChild(done);
        done.focus();
      }, function (e) {
        button.disabled = false;
        if (e instanceof VK.ApiError && e.field === 'email') {
          fieldError(emailError, email, t('askMailBadEmail'));
          email.focus();
        } else {
          status.textContent = t('askMailFailed');
        }
      });
    });
  }

  VK.askMail = askMail;
})();
