package producer

import (
	"encoding/binary"

	"github.com/karafka-actors/karafka-actors/internal/bounds"
)

// DefaultMaxMessageBytes is the default of Config.MaxMessageBytes: 1 MiB,
// as the Kafka brokers' default message.max.bytes (1 MiB + 12 bytes).
const DefaultMaxMessageBytes = 1 << 20

// MaxMessageBytesLimit bounds Config.MaxMessageBytes (see
// bounds.MaxMessageBytes).
const MaxMessageBytesLimit = bounds.MaxMessageBytes

// recordOverhead is the most a record of the v2 format (Kafka >= 0.11) adds
// to its key, value and headers: length, attributes, timestamp and offset
// deltas, key and value lengths, header count.
const recordOverhead = 5*binary.MaxVarintLen32 + binary.MaxVarintLen64 + 1

// headerOverhead is the most one header adds to its key and value.
const headerOverhead = 2 * binary.MaxVarintLen32

// Size is the number of bytes msg counts for against
// Config.MaxMessageBytes: its key, value and headers with the most the
// record format adds to them. It is the count the producer checks before a
// record is sent (sarama counts the same way), so a record of Size at most
// the limit is never refused by the producer itself; a broker or topic
// with a lower limit (message.max.bytes, max.message.bytes) may still
// refuse it, with an error matching ErrTooLarge.
func Size(msg *Message) int {
	n := recordOverhead + len(msg.Key) + len(msg.Value)
	for _, h := range msg.Headers {
		n += HeaderSize(h)
	}
	return n
}

// HeaderSize is what h adds to a record's Size.
func HeaderSize(h Header) int { return len(h.Key) + len(h.Value) + headerOverhead }
