/* The Jira-like frame around the page in `npm run dev`: frame height, theme and viewer switches, simulated clock. */
(function () {
  'use strict';
  var frame = document.getElementById('app-frame');
  var viewer = document.getElementById('dev-viewer');
  var theme = document.getElementById('dev-theme');
  var clock = document.getElementById('dev-clock');

  // Like Jira, the frame is exactly as tall as the page inside it; the window scrolls, never the frame.
  window.addEventListener('message', function (event) {
    if (event.origin !== window.location.origin || event.source !== frame.contentWindow) return;
    if (event.data && event.data.type === 'dev-host:resize') frame.style.height = event.data.height + 'px';
  });

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
  // Switching Jira's theme: the host's own colours change, and a themed frame follows without a reload.
  if (theme) {
    theme.addEventListener('change', function () {
      document.documentElement.setAttribute('data-color-mode', theme.value);
      frame.contentWindow.postMessage({ type: 'dev-host:theme', colorMode: theme.value }, window.location.origin);
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
