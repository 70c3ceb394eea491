package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ---- plain franz-go: one poll loop, async produce, in-order marking ----
//
// The same job as runSaramaLoop: poll the input, decode each record into a
// record, stamp Seen, encode it again, produce it asynchronously to "out"
// with the input's key, and mark an input offset for commit only when it
// and every earlier offset of its partition were acknowledged by the broker.
//
// Settings matched to the sarama loop (and so to karafka-actors' producer
// defaults): acks=all, idempotent producer, no compression (franz-go's
// default is snappy). Not matched: a 5 ms linger (franz-go's default is
// 10 ms; karafka-actors' default was 5 ms until issue 11 and is none now;
// KB_FLUSH_FREQUENCY or an impl variant like franz/0s or franz/1ms
// overrides it as for the others), at most 2000 unacknowledged records per input partition,
// start from the oldest offset, round-robin (eager) group balancing, marked
// offsets auto-committed every second (sarama's default interval).
// Left at franz-go's defaults: up to 5 produce requests in flight per broker
// while idempotent (sarama needs MaxOpenRequests = 1 for idempotence),
// unbounded record retries (the loop's 10 retries never trigger here),
// batches cut by size (1 MB) or linger, not after 500 records, fetch
// sizes and waits.

// franzMaxInFlight is the sarama loop's per-partition bound (ptracker.sem).
const franzMaxInFlight = 2000

// franzSlot is one input record whose response is in flight.
type franzSlot struct {
	t    *franzTracker
	rec  *kgo.Record
	done bool
}

// acked is the produce promise of the slot's response.
func (s *franzSlot) acked(_ *kgo.Record, err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "franz loop: produce failed:", err)
		os.Exit(3)
	}
	s.t.ack(s)
}

// franzTracker keeps one input partition's in-flight records in offset
// order and marks the longest acknowledged prefix.
type franzTracker struct {
	cl      *kgo.Client
	mu      sync.Mutex
	pending []*franzSlot
	sem     chan struct{}
}

func newFranzTracker(cl *kgo.Client) *franzTracker {
	return &franzTracker{cl: cl, sem: make(chan struct{}, franzMaxInFlight)}
}

func (t *franzTracker) add(r *kgo.Record) *franzSlot {
	t.sem <- struct{}{}
	s := &franzSlot{t: t, rec: r}
	t.mu.Lock()
	t.pending = append(t.pending, s)
	t.mu.Unlock()
	return s
}

func (t *franzTracker) ack(s *franzSlot) {
	t.mu.Lock()
	s.done = true
	var last *kgo.Record
	i := 0
	for ; i < len(t.pending) && t.pending[i].done; i++ {
		last = t.pending[i].rec
	}
	if i > 0 {
		clear(t.pending[:i])
		t.pending = t.pending[i:]
	}
	t.mu.Unlock()
	for range i {
		<-t.sem
	}
	if last != nil {
		// Marks only move forward; a partition no longer owned is ignored.
		t.cl.MarkCommitRecords(last)
	}
}

type franzKey struct {
	topic string
	part  int32
}

func runFranzLoop(ctx context.Context, s workerSpec) error {
	linger := 5 * time.Millisecond
	if d, ok := lingerOverride(); ok {
		linger = max(d, 0) // franz/0s: no linger
	}
	// Trackers per owned partition. Rebalance callbacks run only between a
	// poll and AllowRebalance (BlockRebalanceOnPoll), so a partition's
	// records never straddle two sessions' trackers.
	var mu sync.Mutex
	trackers := map[franzKey]*franzTracker{}
	drop := func(parts map[string][]int32) {
		mu.Lock()
		defer mu.Unlock()
		for t, ps := range parts {
			for _, p := range ps {
				delete(trackers, franzKey{t, p})
			}
		}
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(s.Brokers...),
		kgo.ClientID(s.Group),
		kgo.WithLogger(kgo.BasicLogger(os.Stderr, kgo.LogLevelWarn, nil)),
		// consumer
		kgo.ConsumerGroup(s.Group+"_"+s.In[0]),
		kgo.ConsumeTopics(s.In...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.Balancers(kgo.RoundRobinBalancer()),
		kgo.AutoCommitMarks(),
		kgo.AutoCommitInterval(time.Second),
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, parts map[string][]int32) {
			drop(parts)
			// Overriding the revoke callback turns off franz-go's own
			// commit on revoke: commit what is marked so far.
			if err := cl.CommitMarkedOffsets(ctx); err != nil {
				fmt.Fprintln(os.Stderr, "franz loop: commit on revoke:", err)
			}
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, parts map[string][]int32) { drop(parts) }),
		// producer
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotent: the default, it requires acks=all
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.ProducerLinger(linger),
	)
	if err != nil {
		return err
	}
	tracker := func(topic string, part int32) *franzTracker {
		mu.Lock()
		defer mu.Unlock()
		k := franzKey{topic, part}
		t := trackers[k]
		if t == nil {
			t = newFranzTracker(cl)
			trackers[k] = t
		}
		return t
	}
	produceCtx := context.Background() // records are not cancelled: shutdown waits for their acks
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil || fs.IsClientClosed() {
			break
		}
		fs.EachError(func(t string, p int32, err error) {
			fmt.Fprintf(os.Stderr, "franz loop: fetch %s/%d: %v\n", t, p, err)
		})
		var perr error
		fs.EachPartition(func(p kgo.FetchTopicPartition) {
			if perr != nil || len(p.Records) == 0 {
				return
			}
			t := tracker(p.Topic, p.Partition)
			for _, r := range p.Records {
				var v record
				if err := json.Unmarshal(r.Value, &v); err != nil {
					perr = err
					return
				}
				if v.TS > 0 {
					v.Seen = time.Now().UnixNano()
				}
				b, err := json.Marshal(&v)
				if err != nil {
					perr = err
					return
				}
				sl := t.add(r)
				cl.Produce(produceCtx, &kgo.Record{Topic: s.Out, Key: r.Key, Value: b}, sl.acked)
			}
		})
		cl.AllowRebalance()
		if perr != nil {
			cl.CloseAllowingRebalance()
			return perr
		}
	}
	// Wait for the acks of in-flight responses (they mark), commit the
	// marks, then leave the group.
	fctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ferr := cl.Flush(fctx)
	cerr := cl.CommitMarkedOffsets(fctx)
	cl.CloseAllowingRebalance()
	if ferr != nil {
		return fmt.Errorf("franz loop: flush: %w", ferr)
	}
	if cerr != nil {
		return fmt.Errorf("franz loop: commit: %w", cerr)
	}
	return nil
}
