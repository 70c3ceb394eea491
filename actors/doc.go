// Package actors is karafka-actors' runtime: a protoactor-go supervision tree
// that consumes through consumer group members of the client seam (package
// client: sarama's or franz-go's) and produces through one shared producer.
//
//	root supervisor                 application strategy; restart limit → Run fails
//	 └─ listener, one per route     spawns and stops the partition actors of its topic
//	     └─ partition, one per      parse → before-filters → controller, in order
//	        claimed partition
//	         ├─ virtual × N         with virtual partitions only: the controller
//	         │                      runs here, per key; the partition actor
//	         │                      only dispatches by key (virtual.go)
//	         └─ responder           responder → validate → produce (pipelined)
//
// docs/design.md in the repository walks a message through this tree, from
// the fetch to the commit, with its goroutine hand-offs, and states how
// batch routes, the membership and finishers (finish.go), crashes, offset
// marks and response order through resends work.
package actors
