/*
 * The host side of @forge/bridge for `npm run dev`. In Jira, the page's iframe
 * is given `window.__bridge.callBridge(type, payload)` by Atlassian's host
 * script; the app's own bundle (with the real @forge/bridge) calls it for
 * `invoke`, `view.getContext` and `view.theme.enable`. Here the same function
 * forwards each call to the dev server, which runs the app's resolver in the
 * local Forge runtime. Loaded before the app's bundle, which reads the bridge
 * as it loads.
 */
(function () {
  'use strict';
  var query = new URLSearchParams(window.location.search);
  var viewer = query.get('as') || 'admin';
  var THEMES = ['atlassian-light', 'atlassian-dark', 'atlassian-spacing', 'atlassian-typography', 'atlassian-shape'];

  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (answer) {
        // Forge rejects an invoke whose resolver threw or timed out; so does this host.
        if (!response.ok) throw new Error(answer && answer.message ? answer.message : 'HTTP ' + response.status);
        return answer;
      });
    });
  }

  // Theming, as Jira does it after view.theme.enable(): the host's theme CSS in the frame, the
  // host's colour mode on <html>, and every later change in the host followed at once.
  var themingEnabled = false;
  function hostColourMode() {
    try {
      return window.parent.document.documentElement.getAttribute('data-color-mode') === 'dark' ? 'dark' : 'light';
    } catch (e) {
      return 'light';
    }
  }
  function applyTheme(mode) {
    var root = document.documentElement;
    root.setAttribute('data-theme', 'dark:dark light:light spacing:spacing typography:typography shape:shape');
    root.setAttribute('data-color-mode', mode);
  }
  function enableTheming() {
    if (!themingEnabled) {
      themingEnabled = true;
      THEMES.forEach(function (id) {
        var link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = '/__dev/theme/' + id + '.css';
        link.setAttribute('data-theme', id);
        document.head.appendChild(link);
      });
    }
    applyTheme(hostColourMode());
    return Promise.resolve();
  }
  window.addEventListener('message', function (event) {
    if (event.origin !== window.location.origin || event.source !== window.parent) return;
    if (themingEnabled && event.data && event.data.type === 'dev-host:theme') applyTheme(event.data.colorMode);
  });

  function callBridge(type, payload) {
    if (type === 'invoke') {
      return post('/__dev/invoke', { functionKey: payload.functionKey, payload: payload.payload, as: viewer }).then(
        function (answer) {
          return answer.result;
        },
      );
    }
    if (type === 'getContext') {
      var context = new URLSearchParams({ as: viewer });
      ['tz', 'locale'].forEach(function (name) {
        if (query.get(name)) context.set(name, query.get(name));
      });
      return fetch('/__dev/context?' + context.toString()).then(function (r) {
        return r.json();
      });
    }
    if (type === 'enableTheming') return enableTheming();
    return Promise.reject(new Error('The local dev host does not implement the bridge call "' + type + '".'));
  }

  window.__bridge = { callBridge: callBridge };

  // Jira sizes a Custom UI frame to its content (iframe-resizer), so the frame never scrolls:
  // the page around it does. Report the content's height, growing and shrinking with it.
  function contentHeight() {
    var bottom = 0;
    Array.prototype.forEach.call(document.body.children, function (child) {
      if (child.tagName === 'SCRIPT') return;
      bottom = Math.max(bottom, child.getBoundingClientRect().bottom + window.scrollY);
    });
    return Math.ceil(bottom);
  }
  var reported = -1;
  function reportHeight() {
    if (window.parent === window) return;
    var height = contentHeight();
    if (height === reported) return;
    reported = height;
    window.parent.postMessage({ type: 'dev-host:resize', height: height }, window.location.origin);
  }
  window.addEventListener('load', function () {
    reportHeight();
    var observer = new ResizeObserver(reportHeight);
    Array.prototype.forEach.call(document.body.children, function (child) {
      observer.observe(child);
    });
  });
})();
