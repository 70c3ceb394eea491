// Package karafka is the embedding API of karafka-actors, a Kafka application
// framework in the spirit of Ruby's Karafka, built on an actor runtime.
//
// An App declares routes: each topic goes to a controller, whose result goes
// to a responder that declares the topics it may write to. Run starts a
// supervision tree (one listener actor per route, one actor per claimed
// partition, one responder actor per partition actor) that consumes with
// sarama consumer groups and produces through one shared producer.
//
// No message is lost: an offset is committed only after the message and every
// earlier one of its partition are done and their responses acknowledged by
// the broker; failures are retried with backoff and then dead-lettered.
//
// Life cycle: New validates the configuration; Route adds routes; Run
// validates the routes, connects (with backoff while Kafka is unreachable)
// and consumes until its context ends or Shutdown is called; Shutdown stops
// fetching, drains in-flight messages, flushes the producer, commits, leaves
// the consumer groups and stops the actors.
//
// # Declaring routes
//
// A route, its controller, its responder and their options are declared
// with this package alone:
//
//	app.Route(karafka.Route{
//		Topic: "users_created",
//		Controller: func() karafka.Controller {
//			return karafka.ControllerFunc(func(c *karafka.Context) error {
//				email, _ := c.Params.String("email")
//				c.RespondWith(email)
//				return nil
//			})
//		},
//		Responder: func() karafka.Responder {
//			return karafka.NewResponder([]karafka.Topic{karafka.Required("users_welcomed")},
//				func(out *karafka.Output, args ...any) error {
//					out.RespondTo("users_welcomed", args[0], karafka.Key("welcome"))
//					return nil
//				})
//		},
//		Retry: &karafka.RetryPolicy{Attempts: 5, Backoff: karafka.DefaultRetryPolicy().Backoff},
//	})
//
// These names are aliases of the packages that implement them (Route is
// topology.Route, Controller and Context are controllers', Params is
// params', Responder, Topic, Output and the response options are
// responders', RetryPolicy and SupervisionConfig are supervision's), so
// code written against those packages keeps working and mixes with this
// package's spelling. A batch route takes a BatchController; a controller
// that meets a message it can never handle returns Permanent(err); the
// Header* constants name what a dead letter carries.
package karafka
