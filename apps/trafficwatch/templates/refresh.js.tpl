{{%AUTOESCAPE context="JAVASCRIPT"}}
// refresh.js (a template without variables, served as /static/refresh.js): the dashboard's
// optional self-refresh. Every data-refresh seconds (on <body>) it fetches the same URL and swaps
// in the new <main>, keeping the scroll position. Without JavaScript the page's <noscript> meta
// refresh reloads it instead. Nothing is loaded from anywhere but this app.
(function () {
  'use strict';
  var seconds = Number(document.body.getAttribute('data-refresh')) || 5;
  function refresh() {
    fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('main');
        var old = document.querySelector('main');
        if (fresh && old) old.replaceWith(document.adoptNode(fresh));
      })
      .catch(function () { /* the next turn tries again */ })
      .finally(function () { window.setTimeout(refresh, seconds * 1000); });
  }
  window.setTimeout(refresh, seconds * 1000);
})();
