package producer

import (
	"sync"
	"unsafe"

	"github.com/IBM/sarama"
)

// envelope carries one Message through sarama: the sarama message itself,
// the caller's callback (in pm.Metadata) and buffers reused across sends.
// Envelopes are pooled, so a send allocates nothing of its own once the pool
// is warm.
type envelope struct {
	pm    sarama.ProducerMessage
	msg   *Message
	done  func(Result)
	key   sarama.ByteEncoder
	value sarama.ByteEncoder
	hdrs  []sarama.RecordHeader
}

var envelopes = sync.Pool{New: func() any { return new(envelope) }}

// wrap fills a pooled envelope for msg.
func wrap(msg *Message, done func(Result)) *envelope {
	e := envelopes.Get().(*envelope)
	e.msg, e.done = msg, done
	e.pm.Topic = msg.Topic
	e.pm.Metadata = e
	if msg.Key != nil {
		e.key = msg.Key
		e.pm.Key = &e.key // *ByteEncoder is an Encoder and needs no allocation
	}
	if msg.Value != nil {
		e.value = msg.Value
		e.pm.Value = &e.value
	}
	if len(msg.Headers) > 0 {
		for _, h := range msg.Headers {
			e.hdrs = append(e.hdrs, sarama.RecordHeader{Key: bytesOf(h.Key), Value: h.Value})
		}
		e.pm.Headers = e.hdrs
	}
	return e
}

// release returns e to the pool; sarama is done with e.pm.
func (e *envelope) release() {
	clear(e.hdrs)
	hdrs := e.hdrs[:0]
	*e = envelope{hdrs: hdrs}
	envelopes.Put(e)
}

// bytesOf views s as bytes without copying; sarama only reads header keys.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
