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

// A click on a place-picking map (pages/cases/pick_map.rs) becomes a point: the map carries
// its projection's terms, the click is turned back into longitude and latitude, the form's
// fields take them and the marker moves there. A click on a building's dot also picks it.
(function () {
  var maps = document.querySelectorAll('svg[data-pick]');
  Array.prototype.forEach.call(maps, function (svg) {
    var form = document.getElementById(svg.getAttribute('data-pick'));
    if (!form) return;
    var west = parseFloat(svg.getAttribute('data-west'));
    var north = parseFloat(svg.getAttribute('data-north'));
    var sx = parseFloat(svg.getAttribute('data-sx'));
    var sy = parseFloat(svg.getAttribute('data-sy'));
    var marker = svg.querySelector('.marker');
    svg.addEventListener('click', function (event) {
      var pt = svg.createSVGPoint();
      pt.x = event.clientX;
      pt.y = event.clientY;
      var p = pt.matrixTransform(svg.getScreenCTM().inverse());
      var lng = west + p.x / sx;
      var lat = north - p.y / sy;
      form.querySelector('[name=lat]').value = lat.toFixed(6);
      form.querySelector('[name=lng]').value = lng.toFixed(6);
      var building = form.querySelector('[name=building_id]');
      var dot = event.target.closest ? event.target.closest('[data-building]') : null;
      if (building && building.type === 'hidden') building.value = dot ? dot.getAttribute('data-building') : '';
      var address = form.querySelector('[name=address]');
      if (dot && address && !address.value) address.value = dot.getAttribute('data-address');
      if (marker) {
        marker.setAttribute('cx', p.x.toFixed(1));
        marker.setAttribute('cy', p.y.toFixed(1));
        marker.removeAttribute('hidden');
        marker.classList.remove('unset');
      }
    });
  });
})();

// The address field suggests registered buildings as it is typed.
(function () {
  var input = document.querySelector('input[data-suggest]');
  var list = input && document.getElementById(input.getAttribute('list'));
  if (!list || !window.fetch) return;
  var timer = null;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(function () {
      fetch('/api/v1/buildings?q=' + encodeURIComponent(q), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (body) {
          while (list.firstChild) list.removeChild(list.firstChild);
          body.items.forEach(function (b) {
            var option = document.createElement('option');
            option.value = b.address;
            option.textContent = b.name;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 250);
  });
})();
