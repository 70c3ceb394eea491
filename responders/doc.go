// Package responders is the Go shape of Karafka 0.5's responders: what a
// controller sends on after it has processed a record.
//
// A Responder declares its topics (required or optional, single or multiple
// usage) and, in Respond, asks an Output for messages with RespondTo. Deliver
// runs it, buffers everything it asked for, and validates the whole response
// against the declarations before anything is handed to the producer:
// nothing is returned unless every message is valid. Non-byte data is JSON
// encoded.
//
// A Registry finds responders by name, following Karafka's convention that
// UsersCreatedController responds through UsersCreatedResponder.
//
// Every error wraps a sentinel from errors.go and can be tested with
// errors.Is; per-topic problems are *TopicError values naming the topic.
package responders
