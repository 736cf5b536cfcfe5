// The reporting page, made quicker where JavaScript runs: the category list moves on by
// itself, and the phone's GPS fills in the position. Without it the page still works.
(function () {
  var choose = document.getElementById('choose-category');
  if (choose) {
    var select = choose.querySelector('select');
    select.addEventListener('change', function () { if (select.value) choose.submit(); });
  }
  var gps = document.getElementById('use-gps');
  if (gps && navigator.geolocation) {
    gps.hidden = false;
    gps.addEventListener('click', function () {
      gps.disabled = true;
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById('lat').value = p.coords.latitude.toFixed(6);
        document.getElementById('lng').value = p.coords.longitude.toFixed(6);
        gps.disabled = false;
      }, function () { gps.disabled = false; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }
})();
