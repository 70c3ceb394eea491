// Package producer is the WaterDrop role of karafka-actors: an asynchronous
// Kafka producer on top of sarama that any Go program can use on its own.
//
// Life cycle:
//
//  1. [New] validates the [Config], connects and returns a [Producer]; when no
//     broker answers it returns an error wrapping [ErrUnreachable] (retry
//     with backoff).
//  2. [Producer.SendAsync] hands a [Message] to sarama and calls its callback
//     exactly once with a [Result]; [Producer.Send] waits for that result.
//  3. [Producer.Close] stops accepting messages ([ErrClosed]), waits until
//     every message sent before it got its callback, then closes sarama.
//
// The defaults (5ms linger, 500 records per flush, a 1024 slot input
// channel, idempotence with acks=all) batch ~490 records per produce request
// instead of ~20 with sarama's defaults.
//
// A Message and its byte slices belong to the producer from SendAsync until
// its callback ran: do not modify them in between.
package producer
