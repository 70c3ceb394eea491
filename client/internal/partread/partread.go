// Package partread is the part of client.Reader's Read that both client
// libraries share: the bounds a read keeps to, the fetch loop, its retries
// and how it moves past what a fetch did not return as records (control
// batches, batches cut by the size asked for).
package partread

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
)

// Partition is one partition as one Read sees it: a library's requests to
// its leader.
type Partition interface {
	// Bounds returns the partition's log start and end (high watermark).
	Bounds(ctx context.Context) (start, end int64, err error)
	// Fetch fetches the partition from offset, asking for at most
	// maxBytes (brokers return a first batch larger than that whole). It
	// returns the records at or after offset in offset order (control
	// records left out) and the offset the next fetch starts at: past the
	// last batch it read whole, control batches included; offset itself
	// when the response held no whole batch. Errors carry their Kafka code.
	Fetch(ctx context.Context, offset int64, maxBytes int32) (recs []client.Record, next int64, err error)
	// Retry reports whether a fetch that failed with err is worth another
	// try, after it did what that needs (look the leader up again).
	Retry(ctx context.Context, err error) bool
}

const (
	// FirstBytes is what a fetch asks for at first; MaxBytes is the most
	// it asks for when a batch did not fit.
	FirstBytes = 1 << 20
	MaxBytes   = 64 << 20
	// tries is how many times a fetch is tried; backoff is the wait
	// after the first failure, doubled after each next one.
	tries   = 4
	backoff = 100 * time.Millisecond
)

// ErrOffsetOutOfRange is Kafka's OFFSET_OUT_OF_RANGE.
const ErrOffsetOutOfRange client.Code = 1

// Read is client.Reader's Read on p.
func Read(ctx context.Context, p Partition, offset int64, limit int) ([]client.Record, error) {
	start, end, err := p.Bounds(ctx)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	offset = max(offset, start)
	size := int32(FirstBytes)
	failed := 0
	var out []client.Record
	for len(out) < limit && offset < end {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		recs, next, err := p.Fetch(ctx, offset, size)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if errors.Is(err, ErrOffsetOutOfRange) {
				// Retention (or a delete of records) moved the log
				// start past offset since Bounds: go on from there.
				s, _, berr := p.Bounds(ctx)
				if berr != nil {
					return nil, berr
				}
				if s > offset {
					offset = s
					continue
				}
			}
			if failed++; failed < tries && p.Retry(ctx, err) {
				if err := sleep(ctx, backoff<<(failed-1)); err != nil {
					return nil, err
				}
				continue
			}
			return nil, fmt.Errorf("fetch from offset %d: %w", offset, err)
		}
		failed = 0
		for _, r := range recs {
			if r.Offset < offset {
				continue
			}
			if r.Offset >= end || len(out) == limit {
				break
			}
			out = append(out, r)
		}
		switch {
		case next > offset:
			offset = next
		case size < MaxBytes:
			size = min(2*size, MaxBytes) // a batch larger than size was cut
		default:
			return nil, fmt.Errorf("fetch from offset %d: no whole batch in %d bytes: %w", offset, size, client.ErrMessageTooLarge)
		}
	}
	return out, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Retriable reports whether err, of a fetch or a request for offsets,
// says the leader moved or was not there yet, or that a broker did not
// answer: what a look-up of the leader and another try may cure.
func Retriable(err error) bool {
	for _, c := range []client.Code{
		5,   // LEADER_NOT_AVAILABLE
		6,   // NOT_LEADER_OR_FOLLOWER
		7,   // REQUEST_TIMED_OUT
		9,   // REPLICA_NOT_AVAILABLE
		13,  // NETWORK_EXCEPTION
		56,  // KAFKA_STORAGE_ERROR
		74,  // FENCED_LEADER_EPOCH
		75,  // UNKNOWN_LEADER_EPOCH
		78,  // OFFSET_NOT_AVAILABLE
		100, // UNKNOWN_TOPIC_ID
	} {
		if errors.Is(err, c) {
			return true
		}
	}
	return errors.Is(err, client.ErrUnreachable)
}
