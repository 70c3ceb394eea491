package producer_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	kclient "github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
)

// joinGroup makes a member of group consuming "t" on the cluster of cfg
// and returns who it is once it joined. It commits nothing itself and
// stays in the group until the test ends.
func joinGroup(t *testing.T, cfg producer.Config, group string) kclient.Member {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(cfg.Kafka.Brokers...), kgo.ConsumerGroup(group), kgo.ConsumeTopics("t"),
		kgo.DisableAutoCommit(), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		// Polling drives the join; a generation above 0 says it is done.
		pctx, pcancel := context.WithTimeout(ctx, 200*time.Millisecond)
		cl.PollFetches(pctx)
		pcancel()
		if id, gen := cl.GroupMetadata(); gen > 0 && id != "" {
			return kclient.Member{Group: group, MemberID: id, Generation: gen}
		}
		if ctx.Err() != nil {
			t.Fatal("the group member did not join in time")
		}
	}
}

// committedOffset is group's committed offset of "t" partition 0, -1 for
// none, read stable (read_committed): it fails when a transactional offset
// commit of the group is still pending after a few seconds.
func committedOffset(t *testing.T, cfg producer.Config, group string) int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(cfg.Kafka.Brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resps, err := kadm.NewClient(cl).FetchOffsets(kadm.RequireStable(ctx), group)
	if err != nil {
		t.Fatalf("stable offset fetch of group %q: %v", group, err)
	}
	if r, ok := resps.Lookup("t", 0); ok {
		if r.Err != nil {
			t.Fatalf("stable offset fetch of group %q: %v", group, r.Err)
		}
		return r.At
	}
	return -1
}

// eachTxnProtocol runs f as a subtest on a fresh embedded cluster per
// transaction protocol: KIP-890 part 2 (the cluster's transaction.version
// 2, kfake's default: TxnOffsetCommit v5 adds the offsets itself) and the
// classic one (transaction.version downgraded to 0 before any producer
// connects: AddOffsetsToTxn, then TxnOffsetCommit v4).
func eachTxnProtocol(t *testing.T, f func(t *testing.T, cfg producer.Config)) {
	for _, classic := range []bool{false, true} {
		name := "kip890p2"
		if classic {
			name = "classic"
		}
		t.Run(name, func(t *testing.T) {
			cfg := newCluster(t, kafka.ClientFranz, 1)
			if classic {
				downgradeTxnVersion(t, cfg)
			}
			f(t, cfg)
		})
	}
}

// downgradeTxnVersion finalizes the cluster's transaction.version at 0.
func downgradeTxnVersion(t *testing.T, cfg producer.Config) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(cfg.Kafka.Brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrUpdateFeaturesRequest()
	fu := kmsg.NewUpdateFeaturesRequestFeatureUpdate()
	fu.Feature, fu.MaxVersionLevel, fu.AllowDowngrade, fu.UpgradeType = "transaction.version", 0, true, 2 // safe downgrade
	req.FeatureUpdates = append(req.FeatureUpdates, fu)
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	code := resp.ErrorCode
	for _, r := range resp.Results {
		if code == 0 {
			code = r.ErrorCode
		}
	}
	if err := kerr.ErrorForCode(code); err != nil {
		t.Fatalf("downgrading transaction.version: %v", err)
	}
}

// txnWith runs one transaction of p: a record unless empty, the offset
// next of "t" partition 0 for member, then a commit or an abort. It
// returns what CommitTxn returned.
func txnWith(t *testing.T, p *producer.Transactional, record bool, next int64, member kclient.Member, commit bool) error {
	t.Helper()
	if err := p.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	if record {
		sendTxn(t, p, "out")
	}
	if err := p.AddOffsets([]kclient.Offset{{Topic: "t", Partition: 0, Offset: next}}, member); err != nil {
		t.Fatalf("AddOffsets: %v", err)
	}
	if !commit {
		if err := p.AbortTxn(); err != nil {
			t.Fatalf("AbortTxn: %v", err)
		}
		return nil
	}
	return p.CommitTxn()
}

// On franz, offsets added to a transaction that wrote records are
// committed when it commits and not when it aborts; the records are
// visible with them.
func TestTransactional_franzOffsetsCommitWithTheTransaction(t *testing.T) {
	eachTxnProtocol(t, func(t *testing.T, cfg producer.Config) {
		member := joinGroup(t, cfg, "g")
		p := newTransactional(t, cfg, "tx-offsets")
		if err := txnWith(t, p, true, 5, member, false); err != nil {
			t.Fatal(err)
		}
		if got := committedOffset(t, cfg, "g"); got != -1 {
			t.Fatalf("after an aborted transaction the group committed %d, want nothing", got)
		}
		if err := txnWith(t, p, true, 7, member, true); err != nil {
			t.Fatalf("CommitTxn: %v", err)
		}
		if got := committedOffset(t, cfg, "g"); got != 7 {
			t.Fatalf("after a committed transaction the group committed %d, want 7", got)
		}
		if err := txnWith(t, p, true, 9, member, false); err != nil {
			t.Fatal(err)
		}
		if got := committedOffset(t, cfg, "g"); got != 7 {
			t.Fatalf("after an aborted transaction the group committed %d, want 7 still", got)
		}
		// Several transactions in a row: under KIP-890 part 2 every EndTxn
		// bumps the epoch, which the next TxnOffsetCommit must carry.
		for next := int64(10); next < 13; next++ {
			if err := txnWith(t, p, true, next, member, true); err != nil {
				t.Fatalf("offset %d: CommitTxn: %v", next, err)
			}
		}
		if got := committedOffset(t, cfg, "g"); got != 12 {
			t.Fatalf("the group committed %d, want 12", got)
		}
		if got := readCommitted(t, cfg); len(got) != 4 {
			t.Fatalf("read_committed got %d records, want the 4 of the committed transactions", len(got))
		}
		if p.Fatal() || p.Abortable() || p.InTransaction() {
			t.Fatalf("Fatal %v Abortable %v InTransaction %v", p.Fatal(), p.Abortable(), p.InTransaction())
		}
	})
}

// On franz, a transaction that wrote no record commits its offsets, and
// leaves nothing pending: a stable (read_committed) offset fetch answers,
// and a new member of the group gets going.
func TestTransactional_franzOffsetsWithoutRecords(t *testing.T) {
	eachTxnProtocol(t, func(t *testing.T, cfg producer.Config) {
		member := joinGroup(t, cfg, "g")
		p := newTransactional(t, cfg, "tx-empty")
		if err := txnWith(t, p, false, 3, member, true); err != nil {
			t.Fatalf("CommitTxn: %v", err)
		}
		if got := committedOffset(t, cfg, "g"); got != 3 {
			t.Fatalf("the group committed %d, want 3", got)
		}
		// Then one with a record, then an empty one again.
		if err := txnWith(t, p, true, 4, member, true); err != nil {
			t.Fatalf("CommitTxn: %v", err)
		}
		if err := txnWith(t, p, false, 6, member, true); err != nil {
			t.Fatalf("CommitTxn: %v", err)
		}
		if got := committedOffset(t, cfg, "g"); got != 6 {
			t.Fatalf("the group committed %d, want 6", got)
		}
		// An aborted empty transaction commits nothing.
		if err := txnWith(t, p, false, 8, member, false); err != nil {
			t.Fatal(err)
		}
		if got := committedOffset(t, cfg, "g"); got != 6 {
			t.Fatalf("the group committed %d, want 6 still", got)
		}
		if p.Fatal() || p.Abortable() || p.InTransaction() {
			t.Fatalf("Fatal %v Abortable %v InTransaction %v", p.Fatal(), p.Abortable(), p.InTransaction())
		}
	})
}

// On franz, offsets of a stale group member (its generation is not the
// group's) are refused with an error wrapping ErrStaleMember and Kafka's
// code; the transaction is abortable, the producer goes on, and nothing
// of the transaction is committed.
func TestTransactional_franzStaleMemberIsRefused(t *testing.T) {
	eachTxnProtocol(t, func(t *testing.T, cfg producer.Config) {
		member := joinGroup(t, cfg, "g")
		stale := member
		stale.Generation--
		p := newTransactional(t, cfg, "tx-stale")
		for _, record := range []bool{true, false} {
			err := txnWith(t, p, record, 5, stale, true)
			if !errors.Is(err, producer.ErrStaleMember) || !errors.Is(err, kclient.Code(22)) {
				t.Fatalf("record %v: CommitTxn = %v, want ErrStaleMember and ILLEGAL_GENERATION", record, err)
			}
			if !p.Abortable() || p.Fatal() || !p.InTransaction() {
				t.Fatalf("record %v: Abortable %v Fatal %v InTransaction %v, want an abortable transaction", record, p.Abortable(), p.Fatal(), p.InTransaction())
			}
			if err := p.AbortTxn(); err != nil {
				t.Fatalf("record %v: AbortTxn: %v", record, err)
			}
			if got := committedOffset(t, cfg, "g"); got != -1 {
				t.Fatalf("record %v: the group committed %d, want nothing", record, got)
			}
		}
		if got := readCommitted(t, cfg); len(got) != 0 {
			t.Fatalf("read_committed got %q from an aborted transaction", got)
		}
		if err := txnWith(t, p, true, 5, member, true); err != nil {
			t.Fatalf("the current member's transaction after the stale one: %v", err)
		}
		if got := committedOffset(t, cfg, "g"); got != 5 {
			t.Fatalf("the group committed %d, want 5", got)
		}
	})
}

// On franz, a producer that a newer one with the same transactional id
// fenced while its transaction held records and offsets fails CommitTxn
// with ErrFenced and is Fatal; nothing of its transaction is committed.
func TestTransactional_franzFencedWithOffsets(t *testing.T) {
	eachTxnProtocol(t, func(t *testing.T, cfg producer.Config) {
		member := joinGroup(t, cfg, "g")
		old := newTransactional(t, cfg, "tx-fenced")
		if err := old.BeginTxn(); err != nil {
			t.Fatal(err)
		}
		sendTxn(t, old, "zombie")
		if err := old.AddOffsets([]kclient.Offset{{Topic: "t", Partition: 0, Offset: 4}}, member); err != nil {
			t.Fatal(err)
		}
		newTransactional(t, cfg, "tx-fenced") // fences old and aborts its transaction
		err := old.CommitTxn()
		if !errors.Is(err, producer.ErrFenced) || !old.Fatal() {
			t.Fatalf("CommitTxn of the fenced producer = %v (Fatal %v), want ErrFenced and Fatal", err, old.Fatal())
		}
		if got := committedOffset(t, cfg, "g"); got != -1 {
			t.Fatalf("the group committed %d from the fenced producer, want nothing", got)
		}
		if got := readCommitted(t, cfg); len(got) != 0 {
			t.Fatalf("read_committed got %q from the fenced producer's transaction", got)
		}
	})
}
