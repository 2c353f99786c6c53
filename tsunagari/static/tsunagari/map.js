// The portal's map. Exact positions are pins (clustered) with a directions link; positions known only
// to the town or municipality are circles that stand for 「○○町付近 N件」/「○○市内 N件」, never a pin.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || !window.L) return;
  // The box is hidden in the HTML: without JavaScript (or Leaflet) it would be a large empty frame
  // above the list of places.
  element.hidden = false;
  if (element.dataset.icon) {
    // Leaflet guesses its icons' folder from its CSS, which the hashed static names defeat.
    L.Icon.Default.mergeOptions({
      iconUrl: element.dataset.icon,
      iconRetinaUrl: element.dataset.icon2x,
      shadowUrl: element.dataset.shadow
    });
  }
  var map = L.map(element, { scrollWheelZoom: false }).setView([36.2, 138.25], 5);
  L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution || "", maxZoom: 18 }).addTo(map);
  if (element.dataset.lat) {
    var point = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
    L.marker(point).addTo(map);
    map.setView(point, 15);
    return;
  }
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }
  function exactPopup(feature, latlng) {
    var box = document.createElement("div");
    box.appendChild(link(feature.properties.url, feature.properties.name));
    var directions = link("https://www.openstreetmap.org/directions?to=" + latlng.lat + "%2C" + latlng.lng,
      element.dataset.directions || "Directions");
    directions.rel = "noopener";
    box.appendChild(document.createElement("br"));
    box.appendChild(directions);
    return box;
  }
  function areaPopup(feature) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = feature.properties.label;
    box.appendChild(title);
    var list = document.createElement("ul");
    feature.properties.windows.forEach(function (window_) {
      var item = document.createElement("li");
      item.appendChild(link(window_.url, window_.name));
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }
  // Circles are SVG paths, which Tab skips: each becomes a button with a name, opened by Enter or
  // Space, like Leaflet's own pins (keyboard: true). The popup's first link takes the focus, and
  // closing the popup (Escape) gives it back to the circle.
  function focusable(layer, label, open) {
    var path = layer.getElement();
    if (!path) return;
    path.setAttribute("tabindex", "0");
    path.setAttribute("role", "button");
    path.setAttribute("aria-label", label);
    path.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      event.stopPropagation();
      open();
    });
  }
  function openFromKeyboard(layer) {
    if (!layer.isPopupOpen()) layer.openPopup();
    var popup = layer.getPopup().getElement();
    var first = popup && popup.querySelector("a");
    if (first) first.focus();
    layer.once("popupclose", function () {
      var source = layer.getElement();
      var active = document.activeElement;
      if (source && (active === document.body || active === null || (popup && popup.contains(active)))) {
        source.focus();
      }
    });
  }
  // Leaflet closes a popup on Escape only while the map itself has the focus; inside the popup too.
  map.on("popupopen", function (event) {
    var box = event.popup.getElement();
    if (!box || box.dataset.escape) return;
    box.dataset.escape = "1";
    box.addEventListener("keydown", function (key) {
      if (key.key === "Escape") map.closePopup();
    });
  });
  var pins = L.markerClusterGroup();
  var areas = L.featureGroup();
  var regions = L.featureGroup();
  var exact = 0;
  var approximate = 0;
  map.addLayer(areas);
  map.addLayer(pins);
  map.addLayer(regions);
  // The national map starts with one circle per prefecture; choosing one loads only its places.
  function openRegion(feature, circle, fromKeyboard) {
    regions.removeLayer(circle);
    load(feature.properties.data, true);
    // The circle is gone: the focus waits on the map, the next Tab reaches the prefecture's places.
    if (fromKeyboard) element.focus();
  }
  function load(url, fit) {
    fetch(url).then(function (response) { return response.json(); }).then(function (data) {
      var added = L.latLngBounds([]);
      data.features.forEach(function (feature) {
        var layer = draw(feature);
        if (layer && layer.getLatLng) added.extend(layer.getLatLng());
      });
      element.dataset.markers = String(exact);
      element.dataset.areas = String(approximate);
      element.dataset.regions = String(regions.getLayers().length);
      if (fit && added.isValid()) map.fitBounds(added, { maxZoom: 14 });
    });
  }
  function draw(feature) {
    var c = feature.geometry.coordinates;
    var latlng = L.latLng(c[1], c[0]);
    if (feature.properties.precision === "prefecture") {
      var region = L.circleMarker(latlng, {
        radius: Math.min(10 + 2 * Math.sqrt(feature.properties.count), 34),
        className: "map-area map-prefecture",
        color: "#2f6b3a",
        weight: 2,
        fillOpacity: 0.3
      });
      region.bindTooltip(feature.properties.label);
      region.on("click", function () { openRegion(feature, region); });
      regions.addLayer(region);
      focusable(region, feature.properties.label, function () { openRegion(feature, region, true); });
      return region;
    }
    if (feature.properties.precision === "exact") {
      var marker = L.marker(latlng, { title: feature.properties.name, alt: feature.properties.name })
        .bindPopup(exactPopup(feature, latlng));
      // Leaflet opens a pin's popup on Enter; its link then takes the focus, as for the circles.
      marker.on("keypress", function (event) {
        if (event.originalEvent.key === "Enter") openFromKeyboard(marker);
      });
      pins.addLayer(marker);
      exact += 1;
      return marker;
    }
    var town = feature.properties.precision === "town";
    var circle = L.circleMarker(latlng, {
      radius: Math.min(8 + 3 * Math.sqrt(feature.properties.count), 30),
      className: town ? "map-area map-town" : "map-area map-municipality",
      color: town ? "#1d5fa8" : "#6b4fa0",
      weight: 2,
      dashArray: town ? null : "4 3",
      fillOpacity: 0.25
    });
    circle.bindTooltip(feature.properties.label);
    circle.bindPopup(areaPopup(feature));
    areas.addLayer(circle);
    focusable(circle, feature.properties.label, function () { openFromKeyboard(circle); });
    approximate += 1;
    return circle;
  }
  load(element.dataset.geojson, true);
})();
