// Package console is the operator console of a karafka-actors deployment:
// every process of an app at once, an hour of history, recent errors, a
// record explorer, health findings and a few safe actions, in one page
// embedded in the binary (no CDN, nothing built at run time; charts by
// uPlot, vendored).
//
// # How the deployment is seen
//
// Each process publishes a [Report] (its live state as ops serves it at
// /api/state, its last [MaxErrors] failures, who it is) every
// console.report_interval to the compacted reports topic
// (console.reports_topic, made by `topics create` when console.reports
// is on), keyed by its [Process] id: consumer.instance_id when set, so a
// restarted pod takes its own place. On shutdown it publishes a final
// report, so consoles show it stopped rather than stale.
//
// A [Collector] reads the last [HistoryWindow] of the topic, then what
// comes, and also takes the process's own reports ([Publisher] hands them
// over), so a process's console has its own history without the topic.
// A process that missed three intervals is stale; a partition two
// processes claim (a handover between their reports) is held by the later
// report.
//
// # Serving it
//
// `karafka-actors server` with http.addr serves the console at /console/;
// `karafka-actors console` serves it alone (no routes run, no consumer
// group joined). [Handler] is the http.Handler of both:
//
//   - GET api/deployment: processes, their status, routes, partitions and
//     who holds which partition ([Deployment]);
//   - GET api/history?topic=&group=: rates of processed, failed and dead
//     letters per second and the lag, per 5 s step over an hour ([Series]);
//   - GET api/errors: recent failed tries of every process ([ErrorEntry]);
//   - GET api/health: findings, critical first ([Finding]);
//   - GET api/topics, GET api/records: the explorer ([Explorer]);
//   - GET api/session: whether actions are on, whether the request is
//     authenticated, and the CSRF token (also set as a cookie);
//   - POST api/actions/{pause,resume,skip,replay}.
//
// # Actions
//
// Reads are open to whoever reaches the console; actions are off unless
// console.actions is on, and then need authentication: the bearer token
// of console.token, or the user a reverse proxy puts in the header
// console.auth_header names. Every action must also echo the karafka_csrf
// cookie in the X-CSRF-Token header (a page of another site can do
// neither), and a browser's Origin, when it sends one, must be the
// console's. Each action is logged with its user. Pause, resume and skip
// act on the partitions the serving process holds ([Actions], which
// *karafka.App implements); for another process's partition the error
// names the holder and its console.
package console
