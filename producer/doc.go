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
// The defaults (no linger, a 1024 slot input channel, idempotence with
// acks=all) send a record as soon as its partition has no produce request in
// flight; records that arrive meanwhile go together in the next request. So
// a record at a moderate rate leaves at once, and under a backlog requests
// still carry ~1,200-1,400 records over 4 partitions (a 5ms linger with 500
// records per flush: ~1,400; BenchmarkProducer_SendAsyncLinger).
// FlushFrequency 5ms and FlushMessages 500, the defaults before, spend less
// CPU per message at moderate rates for ~3.5 ms more latency.
//
// A Message and its byte slices belong to the producer from SendAsync until
// its callback ran: do not modify them in between.
package producer
