package producer

import "context"

// SendAsync hands msg to the client library and returns. done (which may be nil) is
// called exactly once with the outcome: from the producer's result
// goroutine, or synchronously with [ErrClosed] once Close started, or with
// an error matching [ErrTooLarge] when msg is larger than
// Config.MaxMessageBytes (it is not sent). done must
// not block for long and must not call SendAsync or Send itself: it runs on
// the goroutine that drains sarama's results, and holding that up holds up
// sarama's input as well. Hand the result to another goroutine instead.
// The callback of a record sent again alone after the cluster refused its
// batch (see [ErrReordered]), and of a later record of its topic-partition
// whose Result waits for that, runs on a goroutine of the partition
// instead, concurrently with other callbacks.
//
// SendAsync blocks only while sarama's input channel is full.
func (p *Producer) SendAsync(msg *Message, done func(Result)) {
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		if done != nil {
			done(Result{Message: msg, Partition: -1, Offset: -1, Err: ErrClosed})
		}
		return
	}
	if size := Size(msg); size > p.maxBytes {
		p.mu.RUnlock()
		if done != nil {
			done(Result{Message: msg, Partition: -1, Offset: -1, Err: tooLarge(msg, size, p.maxBytes)})
		}
		return
	}
	if done == nil {
		done = noCallback
	}
	p.b.send(msg, done)
	p.mu.RUnlock()
}

// Send produces msg and waits for its result. The returned error is
// Result.Err, or ctx.Err() when ctx ends first (the record may still be
// delivered). Like SendAsync it may block while sarama's input channel is
// full; ctx is consulted before and after that hand-over.
func (p *Producer) Send(ctx context.Context, msg *Message) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{Message: msg, Partition: -1, Offset: -1, Err: err}, err
	}
	ch := make(chan Result, 1)
	p.SendAsync(msg, func(r Result) { ch <- r })
	select {
	case r := <-ch:
		return r, r.Err
	case <-ctx.Done():
		err := ctx.Err()
		return Result{Message: msg, Partition: -1, Offset: -1, Err: err}, err
	}
}

func noCallback(Result) {}
