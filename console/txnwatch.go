package console

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
)

// FindingTransactionOpen is a partition whose last stable offset stays
// behind its end: a transaction left open, which every read_committed
// reader of the partition waits for.
const FindingTransactionOpen = "transaction_open"

// transactionOpenAfter is how long the last stable offset may stay put
// behind the end before it is a finding: longer than an exactly-once
// app's transactions stay open (transaction.interval).
const transactionOpenAfter = time.Minute

// offsetLister is what TxnWatch needs of a client.Admin.
type offsetLister interface {
	ListStableOffsets(ctx context.Context, topics ...string) (client.Offsets, error)
	ListEndOffsets(ctx context.Context, topics ...string) (client.Offsets, error)
}

// TxnWatch watches the last stable offsets of topics for transactions
// left open (a crashed exactly-once process whose transaction.timeout
// has not passed, a producer that began a transaction and went away).
type TxnWatch struct {
	mu    sync.Mutex
	stuck map[topicPart]stableSince
	// ends are the partitions' end offsets at the last listing: a paused
	// partition fetches nothing, so its process's high watermark (and
	// lag) stays where it was.
	ends client.Offsets
	now  func() time.Time
}

type topicPart struct {
	topic     string
	partition int32
}

// stableSince is a partition's last stable offset, since when it stays
// there, and its end then.
type stableSince struct {
	stable, end int64
	since       time.Time
}

// NewTxnWatch returns a TxnWatch; Run feeds it.
func NewTxnWatch() *TxnWatch {
	return &TxnWatch{stuck: map[topicPart]stableSince{}, now: time.Now}
}

// Run asks for the stable and end offsets of topics every interval
// until ctx ends. A failed ask is logged and tried at the next interval;
// its partitions keep what they had.
func (w *TxnWatch) Run(ctx context.Context, admin offsetLister, topics []string, every time.Duration, log *slog.Logger) {
	if len(topics) == 0 {
		return
	}
	for {
		stable, err := admin.ListStableOffsets(ctx, topics...)
		var end client.Offsets
		if err == nil {
			end, err = admin.ListEndOffsets(ctx, topics...)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Debug("console: stable offsets not listed", "error", err)
		} else {
			w.observe(stable, end)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// observe takes in one listing.
func (w *TxnWatch) observe(stable, end client.Offsets) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ends = end
	now := w.now()
	seen := map[topicPart]bool{}
	for topic, parts := range stable {
		for p, lso := range parts {
			hw, ok := end.Lookup(topic, p)
			if !ok {
				continue
			}
			tp := topicPart{topic, p}
			seen[tp] = true
			if lso >= hw {
				delete(w.stuck, tp)
				continue
			}
			if s, ok := w.stuck[tp]; ok && s.stable == lso {
				s.end = hw
				w.stuck[tp] = s
				continue
			}
			w.stuck[tp] = stableSince{stable: lso, end: hw, since: now}
		}
	}
	for tp := range w.stuck {
		if !seen[tp] {
			delete(w.stuck, tp)
		}
	}
}

// Findings returns a finding per partition whose stable offset stayed
// behind its end for transactionOpenAfter or longer.
func (w *TxnWatch) Findings() []Finding {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	var out []Finding
	for tp, s := range w.stuck {
		if d := now.Sub(s.since); d >= transactionOpenAfter {
			out = append(out, Finding{Kind: FindingTransactionOpen, Severity: "critical", Topic: tp.topic, Partition: tp.partition,
				Message: fmt.Sprintf("%s/%d: a transaction has been open for %s at least: the last stable offset stays at %d while the end is %d, and read_committed readers wait (a crashed exactly-once process whose transaction.timeout has not passed, or a producer gone with its transaction open)",
					tp.topic, tp.partition, d.Round(time.Second), s.stable, s.end)})
		}
	}
	slices.SortFunc(out, func(a, b Finding) int {
		if a.Topic != b.Topic {
			if a.Topic < b.Topic {
				return -1
			}
			return 1
		}
		return int(a.Partition - b.Partition)
	})
	return out
}

// correctLag raises the high watermark and lag of partitions whose end
// offset listed last is beyond what their process saw (a paused partition
// fetches nothing, so its own figures stay put).
func (w *TxnWatch) correctLag(parts []PartitionHolder) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range parts {
		p := &parts[i]
		end, ok := w.ends.Lookup(p.Topic, p.Partition)
		if !ok || end <= p.HighWatermark {
			continue
		}
		if p.Committed >= 0 {
			p.Lag = end - p.Committed
		} else {
			p.Lag += end - p.HighWatermark // as many more to read
		}
		p.HighWatermark = end
	}
}
