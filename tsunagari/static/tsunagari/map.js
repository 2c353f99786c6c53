// The portal's map: markers from the platform's GeoJSON, clustered; tiles from the configured server.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || !window.L) return;
  var map = L.map(element, { scrollWheelZoom: false }).setView([36.2, 138.25], 5);
  L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution || "", maxZoom: 18 }).addTo(map);
  if (element.dataset.lat) {
    var point = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
    L.marker(point).addTo(map);
    map.setView(point, 15);
    return;
  }
  fetch(element.dataset.geojson).then(function (response) { return response.json(); }).then(function (data) {
    var cluster = L.markerClusterGroup();
    var layer = L.geoJSON(data, {
      onEachFeature: function (feature, marker) {
        var link = document.createElement("a");
        link.href = feature.properties.url;
        link.textContent = feature.properties.name;
        marker.bindPopup(link);
      }
    });
    cluster.addLayer(layer);
    map.addLayer(cluster);
    element.dataset.markers = String(data.features.length);
    if (data.features.length) map.fitBounds(cluster.getBounds(), { maxZoom: 14 });
  });
})();
