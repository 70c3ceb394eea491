package client

import (
	"context"
	"time"
)

// Reader reads partitions directly, without a consumer group: the console's
// reports and explorer, and the replay of dead letters.
//
// Errors name the topic (and partition) they are about. Errors the brokers
// report carry their Kafka code ([Error]); a Reader that reached no broker
// when made is not returned: the constructor's error wraps
// [ErrUnreachable] and names the brokers it tried. Every method honours
// ctx, and a Reader may be used from many goroutines at once.
type Reader interface {
	// Partitions returns the partition ids of topic (sorted); an error wrapping
	// ErrUnknownTopicOrPartition when it does not exist.
	Partitions(ctx context.Context, topic string) ([]int32, error)
	// Bounds returns the partition's first (log start) and end (high watermark) offsets.
	Bounds(ctx context.Context, topic string, partition int32) (start, end int64, err error)
	// Read returns the records of topic's partition from offset on, at most max,
	// never past the end the partition had when Read began: it does not wait for
	// new records. An offset below the log start reads from the log start; at or
	// past the end returns none. Records of aborted transactions are included
	// (read_uncommitted); control records are not.
	//
	// The records are copies the caller may keep, in offset order; their
	// offsets need not be consecutive (compacted topics, transaction
	// markers). A null key or value is nil, an empty one is empty.
	Read(ctx context.Context, topic string, partition int32, offset int64, max int) ([]Record, error)
	// OffsetAt returns the first offset whose timestamp is at or after t (the end
	// offset when there is none).
	OffsetAt(ctx context.Context, topic string, partition int32, t time.Time) (int64, error)
	// Close closes the connections.
	Close() error
}
