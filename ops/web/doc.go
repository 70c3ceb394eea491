// Package web is the live web view of a karafka-actors App: one HTML page,
// its script and its style sheet, embedded in the binary (no CDN, no build
// step). The ops handler serves it at "/"; the page reads the JSON the ops
// handler serves next to it, with relative URLs, so it works under any
// prefix the handler is mounted at:
//
//   - api/topology, once: the actor tree, as `karafka-actors flow --format
//     json` writes it (root supervisor, one listener per route, one partition
//     actor per claimed partition, its virtual actors and responder);
//   - api/state, every second: per route the ok, filtered and dead-letter
//     counts (apart), processed (their sum) and failed tries, per partition
//     the committed offset, high watermark, lag, in-flight count, paused,
//     restarts and last error.
//
// NewHandler puts the first of both documents in the page itself, so the
// page shows the App's state from its first paint (Handler leaves them to
// the first poll).
//
// The page updates the tree in place. A partition whose restart count grew
// is highlighted for a few seconds.
//
// Elements tests (and users' scripts) can rely on: li.listener[data-topic]
// [data-group] per route, li.partition[data-topic][data-group]
// [data-partition] per partition, and in them an element whose data-field
// attribute names the api/state field it shows (ok, filtered, processed,
// failed, dead_letters; committed, high_watermark, lag, in_flight, paused,
// restarts, last_error). A partition's data-bumps counts the restart bumps
// seen since the page loaded; data-bumped="true" is set while one is
// highlighted.
package web
