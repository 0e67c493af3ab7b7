/*
 * The host side of @forge/bridge for `npm run dev`. In Jira, the page's iframe
 * is given `window.__bridge.callBridge(type, payload)` by Atlassian's host
 * script; the app's own bundle (with the real @forge/bridge) calls it for
 * `invoke`, `view.getContext`, `view.theme.enable`, `view.close`, `Modal.open`
 * (`openModal`) and `showFlag`/`closeFlag`. Here the same function forwards
 * invokes to the dev server, which runs the app's resolver in the local Forge
 * runtime, and asks the Jira-like page around the frame (jira_chrome.js) to draw
 * modals and flags, as Jira draws them outside the app's frame. Functions in a
 * call (a modal's onClose, a flag action's onClick) cannot cross frames: they
 * stay here, and the host page says when to call them. Loaded before the app's
 * bundle, which reads the bridge as it loads.
 */
(function () {
  'use strict';
  var query = new URLSearchParams(window.location.search);
  var viewer = query.get('as') || 'admin';
  /** Set in a frame the host opened as a modal: the id the host knows it by. */
  var modalId = query.get('modal');
  var host = window.parent !== window ? window.parent : null;
  var origin = window.location.origin;
  var modalClosers = {};
  var flagActions = {};
  var sequence = 0;
  function toHost(message) {
    if (host) host.postMessage(message, origin);
  }
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
    var data = event.data || {};
    if (themingEnabled && data.type === 'dev-host:theme') applyTheme(data.colorMode);
    // Jira closed a modal this frame opened: hand its payload (view.close's, or none) to onClose.
    if (data.type === 'dev-host:modal-closed' && modalClosers[data.id]) {
      var onClose = modalClosers[data.id];
      delete modalClosers[data.id];
      onClose(data.payload);
    }
    if (data.type === 'dev-host:flag-action' && flagActions[data.id] && flagActions[data.id][data.index]) {
      flagActions[data.id][data.index]();
    }
  });

  // A modal's frame: Escape closes it (unless the opener said not to), and Tab stays inside it, as Jira's
  // dialog keeps focus while it is open.
  if (modalId) {
    document.addEventListener(
      'keydown',
      function (e) {
        if (e.key === 'Escape') {
          toHost({ type: 'dev-host:modal-escape', id: modalId });
          return;
        }
        if (e.key !== 'Tab') return;
        var stops = Array.prototype.filter.call(
          document.querySelectorAll('button, [href], input, select, textarea, [tabindex]'),
          function (el) {
            return !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0;
          },
        );
        if (stops.length === 0) return;
        var first = stops[0];
        var last = stops[stops.length - 1];
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      },
      true,
    );
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
      var context = new URLSearchParams({ as: viewer });
      ['tz', 'locale'].forEach(function (name) {
        if (query.get(name)) context.set(name, query.get(name));
      });
      return fetch('/__dev/context?' + context.toString())
        .then(function (r) {
          return r.json();
        })
        .then(function (answer) {
          // In a modal, Jira adds the opener's `context` under extension.modal.
          if (modalId && host && host.__devHost) {
            answer.extension = Object.assign({}, answer.extension, { modal: host.__devHost.modalContext(modalId) });
          }
          return answer;
        });
    }
    if (type === 'enableTheming') return enableTheming();
    if (type === 'openModal') {
      // The bridge has checked the size; a frame with no host page around it cannot open one.
      if (!host) return Promise.resolve(false);
      var id = 'modal-' + ++sequence;
      modalClosers[id] = typeof payload.onClose === 'function' ? payload.onClose : function () {};
      toHost({
        type: 'dev-host:open-modal',
        id: id,
        resource: payload.resource || null,
        size: payload.size || 'medium',
        context: payload.context || {},
        closeOnEscape: payload.closeOnEscape !== false,
        closeOnOverlayClick: payload.closeOnOverlayClick !== false,
        title: payload.title || '',
      });
      return Promise.resolve(true);
    }
    if (type === 'close') {
      // Only a modal's frame can be closed; Jira answers false for a page, and the bridge throws.
      if (!modalId) return Promise.resolve(false);
      toHost({ type: 'dev-host:close-modal', id: modalId, payload: payload });
      return Promise.resolve(true);
    }
    if (type === 'showFlag') {
      var actions = (payload.actions || []).map(function (a) {
        return a.onClick;
      });
      flagActions[payload.id] = actions;
      toHost({
        type: 'dev-host:show-flag',
        id: payload.id,
        title: payload.title || '',
        description: payload.description || '',
        flagType: payload.type || 'info',
        appearance: payload.appearance || null,
        actions: (payload.actions || []).map(function (a) {
          return a.text;
        }),
        isAutoDismiss: payload.isAutoDismiss === true,
      });
      return Promise.resolve(true);
    }
    if (type === 'closeFlag') {
      toHost({ type: 'dev-host:close-flag', id: payload.id });
      return Promise.resolve(true);
    }
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
