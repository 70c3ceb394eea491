package producer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/karafka-actors/karafka-actors/client"
)

// Adding a consumer group's offsets to the transaction of a standalone kgo
// producer. kgo does it only for a client that is itself the group member
// (GroupTransactSession.End, with the offsets it polled), so the backend
// speaks the protocol itself, through its own kgo client, as kgo's txn.go
// does (commitTransactionOffsets, addOffsetsToTxn):
//
//   - Before KIP-890 part 2 (the cluster's transaction.version feature below
//     2), AddOffsetsToTxn to the transaction coordinator puts the group's
//     __consumer_offsets partition into the transaction; then
//     TxnOffsetCommit, at most v4, to the group coordinator.
//   - Under KIP-890 part 2, TxnOffsetCommit v5 adds that partition itself
//     and AddOffsetsToTxn is skipped (kgo sends it still when no broker
//     serves TxnOffsetCommit v5). EndTxn v5 bumps the epoch at every
//     transaction, so the producer id and epoch are read from kgo right
//     before each request.
//
// The version must match the transaction protocol kgo runs (TxnOffsetCommit
// v5 under a transaction kgo runs with EndTxn v4 would be taken for a
// KIP-890p2 one, and the other way round), and TxnOffsetCommit v6 names
// topics by id only, OffsetCommit v10 too: kgo pins those versions with a
// context key of its own that nothing outside kgo can set, and
// kgo.Client.Request negotiates the highest version whatever the request
// says. So the requests go to the coordinator broker directly
// (kgo.Broker.RetriableRequest) wrapped in a pinned request whose
// MaxVersion caps what kgo negotiates; the coordinator is found with
// FindCoordinator and forgotten when it moves.

// Kafka error codes the offset commits tell apart.
const (
	codeCoordinatorLoadInProgress client.Code = 14
	codeCoordinatorNotAvailable   client.Code = 15
	codeNotCoordinator            client.Code = 16
	codeIllegalGeneration         client.Code = 22
	codeUnknownMemberID           client.Code = 25
	codeRebalanceInProgress       client.Code = 27
	codeConcurrentTransactions    client.Code = 51
)

// ErrStaleMember is wrapped by the error of a transaction whose offsets the
// group coordinator refused because the group member committing them is no
// longer current (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
// REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID): a rebalance moved on. The
// transaction must be aborted; the producer itself can go on.
var ErrStaleMember = errors.New("producer: the consumer group member is stale: a rebalance moved the group on")

const (
	// The highest versions that name topics (v6 and v10 name them by id).
	txnOffsetCommitV890p2  = 5
	txnOffsetCommitClassic = 4 // v5 is only for KIP-890 part 2 transactions
	offsetCommitByName     = 9

	// offsetAttempts bounds the tries of one offset request against a
	// coordinator that moves, loads or finishes the previous transaction
	// (CONCURRENT_TRANSACTIONS); offsetBackoff is the first pause, doubled
	// up to offsetMaxBackoff.
	offsetAttempts   = 20
	offsetBackoff    = 20 * time.Millisecond
	offsetMaxBackoff = time.Second
)

// pinned caps the version kgo negotiates for a request.
type pinned struct {
	kmsg.Request
	max int16
}

func (p pinned) MaxVersion() int16 { return min(p.max, p.Request.MaxVersion()) }

// groupOffsets are the offsets AddOffsets took for one group, sent in
// CommitTxn.
type groupOffsets struct {
	member client.Member
	order  []client.Offset
}

// add notes o, replacing an earlier offset of its partition.
func (g *groupOffsets) add(o client.Offset) {
	for i := range g.order {
		if g.order[i].Topic == o.Topic && g.order[i].Partition == o.Partition {
			g.order[i].Offset = o.Offset
			return
		}
	}
	g.order = append(g.order, o)
}

// topicOffsets are the offsets of one topic, in the order they were added.
type topicOffsets struct {
	topic   string
	offsets []client.Offset
}

// byTopic returns g's offsets by topic, topics in the order they were
// first added: the shape of both commit requests.
func (g *groupOffsets) byTopic() []topicOffsets {
	var out []topicOffsets
	at := map[string]int{}
	for _, o := range g.order {
		i, ok := at[o.Topic]
		if !ok {
			i = len(out)
			at[o.Topic] = i
			out = append(out, topicOffsets{topic: o.Topic})
		}
		out[i].offsets = append(out[i].offsets, o)
	}
	return out
}

// franzOffsets is what the franz backend keeps to commit offsets.
type franzOffsets struct {
	mu     sync.Mutex
	coord  map[string]int32 // group -> coordinator node
	probed bool             // tv2 and offsetsV5 are known
	// tv2: kgo runs transactions under KIP-890 part 2 (see probe).
	tv2 bool
	// offsetsV5: some broker serves TxnOffsetCommit v5.
	offsetsV5 bool
}

// addOffsets notes the offsets of member's group for CommitTxn, which puts
// them into the transaction (see commitOffsets).
func (b *franzBackend) addOffsets(offsets []client.Offset, m client.Member) error {
	if m.Group == "" {
		return errors.New("producer: AddOffsets: the group member names no group")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.inTxn {
		return errors.New("producer: AddOffsets: no transaction is open")
	}
	if b.pendingOffsets == nil {
		b.pendingOffsets = map[string]*groupOffsets{}
	}
	g := b.pendingOffsets[m.Group]
	if g == nil {
		g = &groupOffsets{}
		b.pendingOffsets[m.Group] = g
	}
	g.member = m // the latest generation speaks for all
	for _, o := range offsets {
		g.add(o)
	}
	return nil
}

// commitOffsets commits the offsets AddOffsets noted, before the
// transaction ends. produced says whether a record of the transaction was
// written:
//
//   - With records, the offsets join the transaction (AddOffsetsToTxn when
//     needed, then TxnOffsetCommit): the EndTxn that commits the records
//     commits them, an abort drops them.
//   - Without records, kgo's EndTransaction sends nothing (kgo began no
//     transaction at the broker), so transactional offsets would stay
//     pending there until the transaction timeout, and every read_committed
//     offset fetch of the group would be refused meanwhile
//     (UNSTABLE_OFFSET_COMMIT). They are committed with a plain
//     OffsetCommit instead: no output has to become visible with them, and
//     the member id and generation fence a stale member as they do in
//     TxnOffsetCommit.
func (b *franzBackend) commitOffsets(produced bool) error {
	b.mu.Lock()
	pending := b.pendingOffsets
	b.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	// Bounded by the transaction timeout (the broker aborts the
	// transaction then anyway), but never below the produce timeout: a
	// short transaction timeout must not starve the requests themselves.
	ctx, cancel := context.WithTimeout(context.Background(), max(b.txnTimeout, franzProduceTimeout))
	defer cancel()
	for group, g := range pending {
		if len(g.order) == 0 {
			continue
		}
		var err error
		if produced {
			err = b.txnOffsetCommit(ctx, g)
		} else {
			err = b.offsetCommit(ctx, g)
		}
		if err != nil {
			return fmt.Errorf("producer: committing %d offsets of group %q (generation %d, member %q): %w",
				len(g.order), group, g.member.Generation, g.member.MemberID, err)
		}
	}
	return nil
}

// txnOffsetCommit puts g's offsets into the open transaction.
func (b *franzBackend) txnOffsetCommit(ctx context.Context, g *groupOffsets) error {
	tv2, v5, err := b.protocols(ctx)
	if err != nil {
		return err
	}
	// Mirrors kgo: AddOffsetsToTxn only before KIP-890 part 2, or when no
	// broker serves TxnOffsetCommit v5 (which adds the partition itself).
	if !tv2 || !v5 {
		if err := b.addOffsetsToTxn(ctx, g.member.Group); err != nil {
			return err
		}
	}
	pin := int16(txnOffsetCommitClassic)
	if tv2 {
		pin = txnOffsetCommitV890p2
	}
	return b.toCoordinator(ctx, g.member.Group, pin, func() (kmsg.Request, error) {
		id, epoch, err := b.cl.ProducerID(ctx)
		if err != nil {
			return nil, err
		}
		req := kmsg.NewPtrTxnOffsetCommitRequest()
		req.TransactionalID = b.txnID
		req.Group = g.member.Group
		req.ProducerID, req.ProducerEpoch = id, epoch
		req.Generation, req.MemberID = g.member.Generation, g.member.MemberID
		if g.member.InstanceID != "" {
			req.InstanceID = &g.member.InstanceID
		}
		for _, to := range g.byTopic() {
			t := kmsg.NewTxnOffsetCommitRequestTopic()
			t.Topic = to.topic
			for _, o := range to.offsets {
				p := kmsg.NewTxnOffsetCommitRequestTopicPartition()
				p.Partition, p.Offset, p.LeaderEpoch = o.Partition, o.Offset, -1
				t.Partitions = append(t.Partitions, p)
			}
			req.Topics = append(req.Topics, t)
		}
		return req, nil
	}, func(resp kmsg.Response) error {
		var errs []error
		for _, t := range resp.(*kmsg.TxnOffsetCommitResponse).Topics {
			for _, p := range t.Partitions {
				errs = append(errs, partitionError(t.Topic, p.Partition, p.ErrorCode))
			}
		}
		return firstError(errs)
	})
}

// offsetCommit commits g's offsets outside any transaction, fenced by the
// member id and generation.
func (b *franzBackend) offsetCommit(ctx context.Context, g *groupOffsets) error {
	return b.toCoordinator(ctx, g.member.Group, offsetCommitByName, func() (kmsg.Request, error) {
		req := kmsg.NewPtrOffsetCommitRequest()
		req.Group = g.member.Group
		req.Generation, req.MemberID = g.member.Generation, g.member.MemberID
		if g.member.InstanceID != "" {
			req.InstanceID = &g.member.InstanceID
		}
		for _, to := range g.byTopic() {
			t := kmsg.NewOffsetCommitRequestTopic()
			t.Topic = to.topic
			for _, o := range to.offsets {
				p := kmsg.NewOffsetCommitRequestTopicPartition()
				p.Partition, p.Offset = o.Partition, o.Offset
				t.Partitions = append(t.Partitions, p)
			}
			req.Topics = append(req.Topics, t)
		}
		return req, nil
	}, func(resp kmsg.Response) error {
		var errs []error
		for _, t := range resp.(*kmsg.OffsetCommitResponse).Topics {
			for _, p := range t.Partitions {
				errs = append(errs, partitionError(t.Topic, p.Partition, p.ErrorCode))
			}
		}
		return firstError(errs)
	})
}

// addOffsetsToTxn adds group's __consumer_offsets partition to the open
// transaction (kgo routes it to the transaction coordinator).
func (b *franzBackend) addOffsetsToTxn(ctx context.Context, group string) error {
	return retryOffsets(ctx, func() (client.Code, error) {
		id, epoch, err := b.cl.ProducerID(ctx)
		if err != nil {
			return 0, err
		}
		req := kmsg.NewPtrAddOffsetsToTxnRequest()
		req.TransactionalID, req.ProducerID, req.ProducerEpoch, req.Group = b.txnID, id, epoch, group
		resp, err := req.RequestWith(ctx, b.cl)
		if err != nil {
			return 0, fmt.Errorf("AddOffsetsToTxn: %w", err)
		}
		if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
			return client.Code(resp.ErrorCode), fmt.Errorf("AddOffsetsToTxn: %w", client.Coded(err, resp.ErrorCode))
		}
		return 0, nil
	})
}

// toCoordinator sends the request build makes to group's coordinator,
// capped at version pin, and checks the answer with check; it finds the
// coordinator again when it moved, and tries again while it loads or the
// previous transaction is being finished.
func (b *franzBackend) toCoordinator(ctx context.Context, group string, pin int16, build func() (kmsg.Request, error), check func(kmsg.Response) error) error {
	return retryOffsets(ctx, func() (client.Code, error) {
		node, err := b.coordinator(ctx, group)
		if err != nil {
			return 0, err
		}
		req, err := build()
		if err != nil {
			return 0, err
		}
		resp, err := b.cl.Broker(int(node)).RetriableRequest(ctx, pinned{Request: req, max: pin})
		if err != nil {
			b.forgetCoordinator(group)
			return codeCoordinatorNotAvailable, fmt.Errorf("%s to the coordinator of group %q (broker %d): %w", kmsg.NameForKey(req.Key()), group, node, err)
		}
		if err := check(resp); err != nil {
			code := codeOf(err)
			if code == codeNotCoordinator || code == codeCoordinatorNotAvailable {
				b.forgetCoordinator(group)
			}
			return code, fmt.Errorf("%s v%d: %w", kmsg.NameForKey(req.Key()), req.GetVersion(), err)
		}
		return 0, nil
	})
}

// retryOffsets runs try until it succeeds, fails for good or ctx ends.
// try returns the Kafka code of its failure; coordinator moves and loads
// and CONCURRENT_TRANSACTIONS are tried again (kgo retries the latter for
// its own transactional requests).
func retryOffsets(ctx context.Context, try func() (client.Code, error)) error {
	backoff := offsetBackoff
	for attempt := 1; ; attempt++ {
		code, err := try()
		if err == nil {
			return nil
		}
		switch code {
		case codeCoordinatorLoadInProgress, codeCoordinatorNotAvailable, codeNotCoordinator, codeConcurrentTransactions:
		default:
			return err
		}
		if attempt == offsetAttempts {
			return err
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up: %w)", err, context.Cause(ctx))
		}
		backoff = min(2*backoff, offsetMaxBackoff)
	}
}

// coordinator returns the node of group's coordinator, asking for it when
// not known.
func (b *franzBackend) coordinator(ctx context.Context, group string) (int32, error) {
	b.offs.mu.Lock()
	node, ok := b.offs.coord[group]
	b.offs.mu.Unlock()
	if ok {
		return node, nil
	}
	req := kmsg.NewPtrFindCoordinatorRequest()
	req.CoordinatorType = 0 // group
	req.CoordinatorKey = group
	req.CoordinatorKeys = []string{group}
	resp, err := req.RequestWith(ctx, b.cl)
	if err != nil {
		return 0, fmt.Errorf("finding the coordinator of group %q: %w", group, err)
	}
	code, node := resp.ErrorCode, resp.NodeID
	if len(resp.Coordinators) > 0 {
		code, node = resp.Coordinators[0].ErrorCode, resp.Coordinators[0].NodeID
	}
	if err := kerr.ErrorForCode(code); err != nil {
		return 0, fmt.Errorf("finding the coordinator of group %q: %w", group, client.Coded(err, code))
	}
	b.offs.mu.Lock()
	if b.offs.coord == nil {
		b.offs.coord = map[string]int32{}
	}
	b.offs.coord[group] = node
	b.offs.mu.Unlock()
	return node, nil
}

func (b *franzBackend) forgetCoordinator(group string) {
	b.offs.mu.Lock()
	delete(b.offs.coord, group)
	b.offs.mu.Unlock()
}

// protocols tells whether kgo runs this producer's transactions under KIP-890
// part 2, as kgo decides it (supportsKIP890p2): the cluster's finalized
// transaction.version feature is at least 2, and no MaxVersions option
// caps Produce below v12, EndTxn below v5 or TxnOffsetCommit below v5;
// and whether a broker serves TxnOffsetCommit v5. It asks a broker
// (ApiVersions) once per producer: kgo reads the same from the ApiVersions
// of its connections, and only opts in, never out, so once true it stays.
// A cluster whose transaction.version is raised while the producer runs
// may be seen at a different moment here than by kgo; the producer made
// after the next failure sees it as kgo does.
func (b *franzBackend) protocols(ctx context.Context) (tv2, v5 bool, err error) {
	b.offs.mu.Lock()
	defer b.offs.mu.Unlock()
	if b.offs.probed {
		return b.offs.tv2, b.offs.offsetsV5, nil
	}
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(ctx, b.cl)
	if err != nil {
		return false, false, fmt.Errorf("asking a broker for its versions: %w", err)
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return false, false, fmt.Errorf("asking a broker for its versions: %w", client.Coded(err, resp.ErrorCode))
	}
	for _, k := range resp.ApiKeys {
		if k.ApiKey == int16(kmsg.TxnOffsetCommit) && k.MaxVersion >= 5 {
			v5 = true
		}
	}
	for _, f := range resp.FinalizedFeatures {
		if f.Name == "transaction.version" && f.MaxVersionLevel >= 2 {
			tv2 = true
		}
	}
	if mv, ok := b.cl.OptValue(kgo.MaxVersions).(*kversion.Versions); ok && mv != nil && tv2 {
		for key, least := range map[kmsg.Key]int16{kmsg.Produce: 12, kmsg.EndTxn: 5, kmsg.TxnOffsetCommit: 5} {
			if v, ok := mv.LookupMaxKeyVersion(int16(key)); !ok || v < least {
				tv2 = false
			}
		}
	}
	b.offs.probed, b.offs.tv2, b.offs.offsetsV5 = true, tv2, v5
	return tv2, v5, nil
}

// partitionError is the error of one partition's answer, nil for none.
// A code saying that the member is stale wraps ErrStaleMember.
func partitionError(topic string, partition int32, code int16) error {
	err := kerr.ErrorForCode(code)
	if err == nil {
		return nil
	}
	err = client.Coded(err, code)
	switch client.Code(code) {
	case codeIllegalGeneration, codeUnknownMemberID, codeRebalanceInProgress, client.ErrFencedInstanceID:
		return fmt.Errorf("topic %q partition %d: %w: %w", topic, partition, ErrStaleMember, err)
	}
	return fmt.Errorf("topic %q partition %d: %w", topic, partition, err)
}

// firstError returns the first non-nil error of errs: each partition
// answers for itself, and the first one's code decides what is done (kgo
// does the same).
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
