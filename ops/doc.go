// Package ops is the operational surface of a karafka-actors App: an
// http.Handler serving Prometheus metrics, liveness and readiness probes,
// the application's topology and live state as JSON, and a web page that
// shows them.
//
//	h := ops.New(app) // after the routes were added, before app.Run
//	defer h.Close()
//	mux.Handle("/", h) // or mux.Handle("/ops/", http.StripPrefix("/ops", h))
//
// `karafka-actors server --http-addr 127.0.0.1:9100` (config key http.addr)
// serves it on its own listener, with the server [NewServer] returns: read,
// write and idle timeouts and a bound on header size, so that slow or idle
// clients cannot hold connections open. A program serving the handler on a
// listener of its own gets the same settings from NewServer:
//
//	srv := ops.NewServer(h)
//	go srv.Serve(ln)
//
// Every response forbids framing by other sites (Content-Security-Policy
// frame-ancestors 'none', X-Frame-Options DENY) and content sniffing
// (X-Content-Type-Options nosniff). Every Handler has a Prometheus registry
// of its own (no global state): two Apps in one process get two handlers.
//
// # Endpoints
//
//   - GET /metrics: Prometheus text format; the metrics are listed below.
//   - GET /healthz: 200 while the process and its actor system are alive
//     (before Run, while starting, running and draining); 503 once Run
//     returned or the root supervisor gave up.
//   - GET /readyz: 200 when the App runs and every consumer-group
//     membership is connected to Kafka and joined its group; 503 while
//     starting (Kafka unreachable), while a group is joining or
//     rebalancing or cannot join because a topic of its routes does not
//     exist (named, with how to create it), while a partition is stuck,
//     and from the moment shutdown starts. The body says why.
//   - GET /api/topology: the actor tree as JSON, the document `flow
//     --format json` writes (topology.WriteJSON).
//   - GET /api/state: the live state as JSON, below.
//   - GET /: the live web view (package ops/web): the actor tree with the
//     numbers of /api/state, updated every second. Other paths are 404.
//
// # /api/state
//
//	{
//	  "app": "karafka-actors",            // the App's name
//	  "client": "sarama",                 // the Kafka client library it runs on (kafka.client): sarama or franz
//	  "time": "2026-12-01T10:00:00Z",     // when the snapshot was taken (UTC)
//	  "phase": "running",                 // new, starting, running, stopping, stopped
//	  "alive": true,                      // what /healthz answers 200 to
//	  "ready": true,                      // what /readyz answers 200 to
//	  "routes": [                         // in route order
//	    {"topic": "users_create", "group": "karafka-actors_users_create",
//	     "dead_letter_topic": "users_create_dlq",   // "" when dead letters are off
//	     "dead_letters": 1,               // messages acknowledged on the dead letter topic
//	     "processed": 10,                 // messages finished: ok + filtered + dead-lettered
//	     "ok": 8,                         // finished by the controller, responses acknowledged
//	     "filtered": 1,                   // dropped by a before-filter
//	     "failed": 3}                     // failed tries
//	  ],
//	  "groups": [
//	    {"group": "karafka-actors_users_create", "topics": ["users_create"],
//	     "connected": true, "joined": true}
//	     // plus "missing_topics": ["users_create"] while topics of its routes
//	     // do not exist: the group cannot join until they are created
//	  ],
//	  "partitions": [                     // by topic, then partition
//	    {"topic": "users_create", "partition": 0, "group": "karafka-actors_users_create",
//	     "committed": 10,                 // offset committed for the group; -1: none yet
//	     "high_watermark": 12,            // from the last fetch; 0 before the first
//	     "lag": 2,                        // high_watermark - committed (>= 0)
//	     "in_flight": 2,                  // consumed, not yet committable
//	     "paused": false,                 // fetching paused (consumer.max_in_flight)
//	     "operator_paused": false,        // paused by an operator (App.PausePartition)
//	     "failing_offsets": [7],          // records it fails on now (what a skip takes); absent: none
//	     "processed": 10, "ok": 8, "filtered": 1, "failed": 3, "dead_letters": 1,
//	     "restarts": 2,                   // partition actor restarts for its messages
//	     "last_error": "",                // the last failed try or refused send; "" if none
//	     "assigned": true}                // held by this process now; false: held before,
//	  ]                                   // committed and high_watermark as last seen
//	}
//
// Counts (processed, ok, filtered, failed, dead_letters, restarts,
// last_error) start when the Handler is made and survive rebalances; a
// partition held before and not now stays listed with assigned false.
//
// # Metrics
//
// Every name starts with karafka_. Labels: topic (the Kafka topic the series
// is about), partition, group (consumer group), route (the route's input
// topic, on series whose topic is an output topic), outcome, kind.
//
//	karafka_messages_consumed_total{topic,partition,group}          counter
//	karafka_messages_processed_total{topic,partition,group,outcome} counter: ok, filtered,
//	    dead_lettered, skipped count finished messages; failed and retried count tries
//	karafka_processing_duration_seconds{topic,group}                histogram: consumed to
//	    finished (every response acknowledged), messages finished ok
//	karafka_responses_produced_total{route,group,topic}             counter
//	karafka_produce_errors_total{route,group,topic}                 counter (sent again)
//	karafka_dead_letters_total{route,group,topic}                   counter
//	karafka_offset_commits_total{group}                             counter
//	karafka_rebalances_total{group}                                 counter: sessions begun
//	karafka_broker_unreachable_total{group}                         counter: a consumer
//	    group's failed attempts (the producer's at start-up: karafka_ready 0)
//	karafka_actor_restarts_total{kind}                              counter: listener,
//	    partition, virtual, responder
//	karafka_partitions_assigned{topic,group}                        gauge
//	karafka_partitions_paused{topic,group}                          gauge
//	karafka_partition_in_flight_messages{topic,partition,group}     gauge
//	karafka_consumer_lag{topic,partition,group}                     gauge: high watermark
//	    minus committed offset
//	karafka_committed_offset{topic,partition,group}                 gauge
//	karafka_high_watermark_offset{topic,partition,group}            gauge
//	karafka_ready                                                   gauge: 1 or 0
//
// plus the Go and process collectors (go_*, process_*). Counters come from
// the App's events (package events): the subscriber costs a map lookup and
// an atomic add per event (docs/benchmarks.md measures it); gauges are read
// from App.State at each scrape and cost nothing in between.
//
// Only series that can move are exported: an output topic's series appear
// with its first response, dead letter or produce error (a response topic
// has no dead letter series, a dead letter topic no responses series), and
// a route without a dead letter topic has no dead_lettered outcome; the
// skipped outcome (a record an operator skipped on a route without a dead
// letter topic) appears with its first record.
package ops
