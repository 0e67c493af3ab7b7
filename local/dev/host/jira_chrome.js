/* The Jira-like frame around the page in `npm run dev`: frame height, viewer switch, simulated clock. */
(function () {
  'use strict';
  var frame = document.getElementById('app-frame');
  var viewer = document.getElementById('dev-viewer');
  var clock = document.getElementById('dev-clock');

  window.addEventListener('message', function (event) {
    if (event.origin !== window.location.origin || event.source !== frame.contentWindow) return;
    if (event.data && event.data.type === 'dev-host:resize')
      frame.style.height = Math.max(400, event.data.height) + 'px';
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
      frame.src = '/app/?as=' + encodeURIComponent(viewer.value);
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
