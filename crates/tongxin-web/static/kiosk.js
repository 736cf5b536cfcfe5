// A kiosk session ends by itself: after the idle time the page's sign-out form is sent, so
// the next person at the kiosk never sees the last one's bookings. The server ends idle
// sessions too; this only makes the screen follow without a tap.
(function () {
  var form = document.getElementById('sign-out');
  if (!form) { return; }
  var wait = (parseInt(form.getAttribute('data-idle-seconds'), 10) || 60) * 1000, timer;
  function out() { form.submit(); }
  function again() { clearTimeout(timer); timer = setTimeout(out, wait); }
  ['click', 'keydown', 'touchstart', 'scroll'].forEach(function (e) {
    document.addEventListener(e, again, { passive: true });
  });
  again();
})();
