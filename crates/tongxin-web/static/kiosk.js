// The kiosk's page, made easier for an elder. Everything here is an enhancement: without
// it the forms still work with a keyboard, and the server still ends idle sessions.
//
// - Idle sign-out: after the idle time the sign-out form is sent, so the next person at the
//   kiosk never sees the last one's bookings; for the last 10 seconds a countdown shows,
//   and any touch starts the time again.
// - An on-screen keypad (0-9, X, delete, clear) types into the ID number or PIN field that
//   last had the focus.
// - An ID-card reader that types like a keyboard (a keyboard wedge): the ID field has the
//   focus on load; the number and Enter move on to the PIN (or sign in when the PIN is
//   there). A QR scanner types the same way: a code (which never starts with a digit or X)
//   is moved to the QR form, whose Enter signs in.
(function () {
  var form = document.getElementById('sign-out');
  var banner = document.getElementById('idle-countdown');
  if (form) {
    var left = 0, timer;
    var total = function () { return parseInt(form.getAttribute('data-idle-seconds'), 10) || 60; };
    var show = function () {
      if (!banner) { return; }
      if (left <= 10) {
        banner.textContent = (banner.getAttribute('data-text') || '{n}').replace('{n}', String(left));
        banner.hidden = false;
      } else {
        banner.hidden = true;
      }
    };
    var tick = function () {
      left -= 1;
      show();
      if (left <= 0) { clearInterval(timer); form.submit(); }
    };
    var again = function () { left = total(); show(); };
    ['click', 'keydown', 'touchstart', 'scroll'].forEach(function (e) {
      document.addEventListener(e, again, { passive: true });
    });
    again();
    timer = setInterval(tick, 1000);
  }

  var id = document.getElementById('id-number');
  var pin = document.getElementById('pin');
  var keypad = document.getElementById('keypad');
  if (!id || !pin) { return; }
  var target = id;
  var code = document.querySelector('#qr-sign-in input[name=code]');
  var read = document.getElementById('card-read');
  var toPin = function () {
    target = pin;
    pin.focus();
    if (read) { read.hidden = false; }
  };
  [id, pin].forEach(function (field) {
    field.addEventListener('focus', function () { target = field; });
  });
  id.addEventListener('input', function () {
    var v = id.value;
    if (code && v.length > 0 && !/^[0-9Xx]/.test(v)) {
      code.value = v;
      id.value = '';
      code.focus();
      return;
    }
    if (/x/.test(v)) { id.value = v.toUpperCase(); }
  });
  id.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter') { return; }
    e.preventDefault();
    if (pin.value === '') { toPin(); } else { id.form.submit(); }
  });
  if (!keypad) { return; }
  keypad.hidden = false;
  keypad.addEventListener('click', function (e) {
    var key = e.target.getAttribute && e.target.getAttribute('data-key');
    if (!key) { return; }
    var max = parseInt(target.getAttribute('maxlength'), 10) || 18;
    if (key === 'delete') {
      target.value = target.value.slice(0, -1);
    } else if (key === 'clear') {
      target.value = '';
    } else if (target.value.length < max && (target === id || key !== 'X')) {
      target.value += key;
    }
    if (target === id && id.value.length === 18) { toPin(); } else { target.focus(); }
  });
})();
