/*
 * The host side of @forge/bridge for `npm run dev`. In Jira, the page's iframe
 * is given `window.__bridge.callBridge(type, payload)` by Atlassian's host
 * script; the app's own bundle (with the real @forge/bridge) calls it for
 * `invoke` and `view.getContext`. Here the same function forwards each call to
 * the dev server, which runs the app's resolver in the local Forge runtime.
 * Loaded before the app's bundle, which reads the bridge as it loads.
 */
(function () {
  'use strict';
  var viewer = new URLSearchParams(window.location.search).get('as') || 'admin';

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

  function callBridge(type, payload) {
    if (type === 'invoke') {
      return post('/__dev/invoke', { functionKey: payload.functionKey, payload: payload.payload, as: viewer }).then(
        function (answer) {
          return answer.result;
        },
      );
    }
    if (type === 'getContext') {
      return fetch('/__dev/context?as=' + encodeURIComponent(viewer)).then(function (r) {
        return r.json();
      });
    }
    return Promise.reject(new Error('The local dev host does not implement the bridge call "' + type + '".'));
  }

  window.__bridge = { callBridge: callBridge };

  // Jira sizes a Custom UI frame to its content (iframe-resizer); tell the dev chrome our height.
  function reportHeight() {
    if (window.parent === window) return;
    window.parent.postMessage(
      { type: 'dev-host:resize', height: document.documentElement.scrollHeight },
      window.location.origin,
    );
  }
  window.addEventListener('load', function () {
    reportHeight();
    new ResizeObserver(reportHeight).observe(document.body);
  });
})();
