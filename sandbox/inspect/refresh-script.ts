/**
 * The inspection page's only script, inlined as text: it runs in the reader's browser, so it is
 * plain ES2017 that no TypeScript or coverage transform touches. It
 * - refreshes the data section from GET /sandbox/fragment every 5 s, in place (no reload, so
 *   scroll position and the pause switch stay), skipping a round while text in it is selected;
 * - keeps the "Pause auto-refresh" switch in localStorage;
 * - copies ids with navigator.clipboard, or selects them for Ctrl+C where that is unavailable.
 * Anything the browser may refuse (storage, clipboard) is guarded: the page must log no errors.
 */
export const FRAGMENT_PATH = '/sandbox/fragment';
export const REFRESH_PERIOD_MS = 5000;
export const PAUSE_STORAGE_KEY = 'wechat-sandbox.inspect.paused';

export const REFRESH_SCRIPT = `(function () {
  'use strict';
  var data = document.getElementById('data');
  var pause = document.getElementById('pause');
  var status = document.getElementById('refresh-status');
  var controls = document.getElementById('controls');
  if (!data || !pause || !status || !controls) return;
  document.documentElement.classList.add('js');
  controls.hidden = false;

  // Storage throws where it is disabled (privacy settings, sandboxed frames): treat as not paused.
  function storedPause() {
    try { return window.localStorage.getItem(${JSON.stringify(PAUSE_STORAGE_KEY)}) === '1'; } catch (e) { return false; }
  }
  function storePause(paused) {
    try {
      if (paused) window.localStorage.setItem(${JSON.stringify(PAUSE_STORAGE_KEY)}, '1');
      else window.localStorage.removeItem(${JSON.stringify(PAUSE_STORAGE_KEY)});
    } catch (e) { /* the switch still works for this page */ }
  }
  function say(text) { status.textContent = text; }
  function now() { return new Date().toLocaleTimeString(undefined, { hour12: false }); }

  function selectionInData() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed) return false;
    for (var i = 0; i < sel.rangeCount; i++) {
      if (sel.getRangeAt(i).intersectsNode(data)) return true;
    }
    return false;
  }

  var busy = false;
  function refresh() {
    if (pause.checked || busy || document.hidden) return;
    if (selectionInData()) { say('refresh skipped: text selected'); return; }
    busy = true;
    fetch(${JSON.stringify(FRAGMENT_PATH)}, { cache: 'no-store', headers: { Accept: 'text/html' } })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.text();
      })
      .then(function (html) {
        // The reader may have paused or started selecting while the request was out.
        if (pause.checked) return;
        if (selectionInData()) { say('refresh skipped: text selected'); return; }
        data.innerHTML = html;
        say('updated ' + now());
      })
      .catch(function (e) { say('refresh failed: ' + (e && e.message ? e.message : String(e))); })
      .then(function () { busy = false; });
  }

  pause.checked = storedPause();
  say(pause.checked ? 'paused' : 'refreshing every ${REFRESH_PERIOD_MS / 1000} s');
  pause.addEventListener('change', function () {
    storePause(pause.checked);
    if (pause.checked) say('paused');
    else refresh();
  });
  setInterval(refresh, ${REFRESH_PERIOD_MS});
  document.addEventListener('visibilitychange', function () { if (!document.hidden) refresh(); });

  function selectContents(node) {
    try {
      var range = document.createRange();
      range.selectNodeContents(node);
      var sel = window.getSelection();
      if (sel) { sel.removeAllRanges(); sel.addRange(range); }
    } catch (e) { /* nothing more to offer than the visible text */ }
  }
  function flash(button, text) {
    button.textContent = text;
    setTimeout(function () { button.textContent = 'copy'; }, 1500);
  }
  // Delegated: the buttons are replaced with the data section on every refresh.
  data.addEventListener('click', function (ev) {
    var target = ev.target;
    var button = target && target.closest ? target.closest('button.copy') : null;
    if (!button) return;
    var text = button.getAttribute('data-copy') || '';
    var code = button.parentNode ? button.parentNode.querySelector('code') : null;
    var fallback = function () {
      if (code) selectContents(code);
      flash(button, 'selected');
    };
    try {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { flash(button, 'copied'); }, fallback);
        return;
      }
    } catch (e) { /* fall through */ }
    fallback();
  });
})();`;
