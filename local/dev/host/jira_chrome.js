/*
 * The Jira-like page around the app's frame in `npm run dev`: frame height, theme and viewer switches,
 * simulated clock, and what Jira draws for a Custom UI app outside its frame: the modal dialog a
 * `Modal` opens (the app's resource in a second frame, over the dimmed page) and the flags `showFlag`
 * raises (bottom left). Their callbacks stay in the frame that asked (bridge_host.js); this page tells
 * it when a modal closed, with what, and which flag action was chosen.
 */
(function () {
  'use strict';
  var frame = document.getElementById('app-frame');
  var viewer = document.getElementById('dev-viewer');
  var theme = document.getElementById('dev-theme');
  var clock = document.getElementById('dev-clock');
  var origin = window.location.origin;

  // Like Jira, the frame is exactly as tall as the page inside it; the window scrolls, never the frame.
  window.addEventListener('message', function (event) {
    if (event.origin !== origin) return;
    var data = event.data || {};
    if (event.source === frame.contentWindow && data.type === 'dev-host:resize') {
      frame.style.height = data.height + 'px';
    }
    if (data.type === 'dev-host:open-modal') openModal(event.source, data);
    if (data.type === 'dev-host:close-modal') closeModal(data.id, data.payload, true);
    if (data.type === 'dev-host:modal-escape' && modals[data.id] && modals[data.id].closeOnEscape) {
      closeModal(data.id, undefined, false);
    }
    if (data.type === 'dev-host:show-flag') showFlag(event.source, data);
    if (data.type === 'dev-host:close-flag') removeFlag(data.id);
  });

  // ---------------------------------------------------------------------------------------------
  // Modals: Jira's sizes (width, height, minimum height), the rest of the page inert and dimmed.

  var SIZES = {
    small: ['400px', '20vh', '320px'],
    medium: ['600px', '40vh', '520px'],
    large: ['800px', '70vh', '720px'],
    xlarge: ['968px', '90vh', ''],
    max: ['100%', '100%', ''],
    fullscreen: ['100%', '100%', ''],
    resizable: ['600px', '40vh', '520px'],
  };
  var modals = {};

  window.__devHost = {
    /** What the opener passed as `context`, for the modal frame's view.getContext (extension.modal). */
    modalContext: function (id) {
      return modals[id] ? modals[id].context : undefined;
    },
  };

  function openModal(opener, data) {
    var size = typeof data.size === 'string' ? SIZES[data.size] : [data.size.width, data.size.height || '40vh', ''];
    var blanket = document.createElement('div');
    blanket.className = 'dev-modal-blanket';
    blanket.setAttribute('data-testid', 'dev-modal-blanket');
    var dialog = document.createElement('div');
    dialog.className = 'dev-modal';
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-label', data.title || 'Site reports');
    dialog.setAttribute('data-testid', 'dev-modal');
    dialog.style.width = size[0];
    dialog.style.height = size[1];
    if (size[2]) dialog.style.minHeight = size[2];
    var inner = document.createElement('iframe');
    var query = new URLSearchParams(frame.src.split('?')[1] || '');
    query.set('modal', data.id);
    inner.src = '/app/?' + query.toString();
    inner.title = data.title || 'Site reports';
    dialog.appendChild(inner);
    blanket.appendChild(dialog);
    blanket.addEventListener('mousedown', function (e) {
      if (e.target === blanket && data.closeOnOverlayClick) closeModal(data.id, undefined, false);
    });
    // While it is open, nothing behind it can be reached, by pointer or keyboard.
    var made = [];
    Array.prototype.forEach.call(document.body.children, function (el) {
      if (el.tagName !== 'SCRIPT' && !el.inert) {
        el.inert = true;
        made.push(el);
      }
    });
    document.body.appendChild(blanket);
    modals[data.id] = {
      opener: opener,
      blanket: blanket,
      undo: made,
      context: data.context,
      closeOnEscape: data.closeOnEscape,
    };
    inner.addEventListener('load', function () {
      inner.focus();
    });
  }

  /** `confirmed`: closed by view.close in the modal, with its payload; otherwise by Escape or a click beside it. */
  function closeModal(id, payload, confirmed) {
    var m = modals[id];
    if (!m) return;
    delete modals[id];
    m.blanket.remove();
    m.undo.forEach(function (el) {
      el.inert = false;
    });
    frame.focus();
    m.opener.postMessage({ type: 'dev-host:modal-closed', id: id, payload: confirmed ? payload : undefined }, origin);
  }

  // ---------------------------------------------------------------------------------------------
  // Flags: Jira's flag group, newest on top; auto-dismissed ones go after 8 seconds.

  var flagGroup = document.createElement('div');
  flagGroup.className = 'dev-flags';
  flagGroup.setAttribute('role', 'region');
  flagGroup.setAttribute('aria-label', 'Notifications');
  flagGroup.setAttribute('data-testid', 'dev-flags');
  document.body.appendChild(flagGroup);
  var flags = {};
  var ICONS = { success: '✓', info: 'i', warning: '!', error: '×' };

  function removeFlag(id) {
    if (flags[id]) {
      flags[id].remove();
      delete flags[id];
    }
  }

  function showFlag(source, data) {
    removeFlag(data.id);
    var type = data.appearance || data.flagType || 'info';
    var el = document.createElement('div');
    el.className = 'dev-flag dev-flag--' + type + (data.appearance ? ' dev-flag--bold' : '');
    el.setAttribute('role', 'alert');
    el.setAttribute('data-testid', 'dev-flag');
    el.setAttribute('data-type', type);
    var icon = document.createElement('span');
    icon.className = 'dev-flag__icon';
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = ICONS[type] || 'i';
    var body = document.createElement('div');
    body.className = 'dev-flag__body';
    var title = document.createElement('div');
    title.className = 'dev-flag__title';
    title.textContent = data.title;
    body.appendChild(title);
    if (data.description) {
      var description = document.createElement('div');
      description.className = 'dev-flag__description';
      description.setAttribute('data-testid', 'dev-flag-description');
      description.textContent = data.description;
      body.appendChild(description);
    }
    if (data.actions.length > 0) {
      var actions = document.createElement('div');
      actions.className = 'dev-flag__actions';
      data.actions.forEach(function (text, index) {
        var button = document.createElement('button');
        button.type = 'button';
        button.textContent = text;
        button.addEventListener('click', function () {
          source.postMessage({ type: 'dev-host:flag-action', id: data.id, index: index }, origin);
        });
        actions.appendChild(button);
      });
      body.appendChild(actions);
    }
    el.appendChild(icon);
    el.appendChild(body);
    // Bold flags (an `appearance`) have no dismiss button: they ask for an answer.
    if (!data.appearance) {
      var dismiss = document.createElement('button');
      dismiss.type = 'button';
      dismiss.className = 'dev-flag__dismiss';
      dismiss.setAttribute('aria-label', 'Dismiss');
      dismiss.textContent = '×';
      dismiss.addEventListener('click', function () {
        removeFlag(data.id);
      });
      el.appendChild(dismiss);
    }
    flags[data.id] = el;
    flagGroup.insertBefore(el, flagGroup.firstChild);
    if (data.isAutoDismiss) {
      setTimeout(function () {
        if (flags[data.id] === el) removeFlag(data.id);
      }, 8000);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The dev bar.

  function showClock() {
    fetch('/__dev/state')
      .then(function (r) {
        return r.json();
      })
      .then(function (state) {
        clock.textContent =
          'Simulated time ' +
          state.now +
          (state.hoursSinceInstall === null ? '' : ' · ' + state.hoursSinceInstall.toFixed(1) + ' h after install');
      });
  }

  if (viewer) {
    viewer.addEventListener('change', function () {
      var query = new URLSearchParams(frame.src.split('?')[1] || '');
      query.set('as', viewer.value);
      frame.src = '/app/?' + query.toString();
    });
  }
  // Switching Jira's theme: the host's own colours change, and themed frames follow without a reload.
  if (theme) {
    theme.addEventListener('change', function () {
      document.documentElement.setAttribute('data-color-mode', theme.value);
      Array.prototype.forEach.call(document.querySelectorAll('iframe'), function (f) {
        f.contentWindow.postMessage({ type: 'dev-host:theme', colorMode: theme.value }, origin);
      });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('[data-advance]'), function (button) {
    button.addEventListener('click', function () {
      button.disabled = true;
      fetch('/__dev/advance', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ minutes: Number(button.getAttribute('data-advance')) }),
      }).then(function () {
        button.disabled = false;
        showClock();
        frame.contentWindow.location.reload();
      });
    });
  });
  if (clock) showClock();
})();
