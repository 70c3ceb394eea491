package producer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// The franz-go backend maps the Config as follows (kgo options):
//
//   - Acks: RequiredAcks (AllISRAcks, LeaderAck, NoAck).
//   - Idempotent false: DisableIdempotentWrite. kgo keeps its own
//     in-flight limit (5 per broker idempotent, 1 otherwise); sarama's
//     Net.MaxOpenRequests has no Config field and no counterpart here.
//   - Compression: ProducerBatchCompression with exactly that codec
//     (kgo's default would be snappy).
//   - FlushFrequency: ProducerLinger (0 is no linger, as on sarama; kgo's
//     default would be 10ms).
//   - FlushMessages: no equivalent. kgo sends a partition's batch when the
//     linger is up or the batch is full (ProducerBatchMaxBytes), never
//     after a record count; the setting is ignored, so with a linger a
//     batch waits the whole linger unless it fills by bytes.
//   - ChannelBufferSize: MaxBufferedRecords, franzBufferFactor times it
//     (see there): SendAsync blocks while that many records are buffered
//     or in flight.
//   - RetryMax: RecordRetries (with idempotence kgo enforces it only
//     where failing a record cannot break the sequence numbers).
//   - RetryBackoff: RetryBackoffFn, constant as sarama's (it applies to
//     kgo's metadata and other requests too).
//   - MaxMessageBytes: checked by the Producer before sending, as on
//     sarama; ProducerBatchMaxBytes is it plus the batch header so that a
//     record kgo takes is never refused by kgo itself, but at most
//     Kafka's default message.max.bytes (franzBrokerMaxBytes) while
//     MaxMessageBytes is within it: a batch kgo filled to MaxMessageBytes
//     plus the header (the default 1 MiB + 65) is refused whole by a
//     broker at its default, every record of it MESSAGE_TOO_LARGE.
//     sarama's batches stay below MaxMessageBytes. Only a record within
//     about 80 bytes of the default MaxMessageBytes is refused by kgo
//     then, which such a broker refuses anyway.
//   - kafka.ReadTimeout, DialTimeout, TLS, SASL, ClientID: kafka.Config.Franz.
//     kafka.Version is not used: kgo negotiates versions per broker.
//   - The produce request timeout is kgo's 10s, sarama's Producer.Timeout
//     default; Config has no field for it.
//
// A topic that does not exist: kgo asks the brokers to create it, as
// sarama does (AllowAutoTopicCreation, refused by brokers without
// auto.create.topics.enable), and fails its records after
// franzUnknownTopicRetries metadata answers saying it is unknown
// (UnknownTopicRetries; kgo re-asks every franzMetadataMinAge), so about a
// second, as sarama's three metadata retries.
const (
	// franzBufferFactor sizes MaxBufferedRecords from ChannelBufferSize.
	// sarama buffers ChannelBufferSize records in each stage of its
	// pipeline (input, per topic, per partition, per broker) plus what is
	// in flight; kgo counts every record from Produce to its promise in
	// one limit, so one channel's worth would throttle batching.
	franzBufferFactor = 16
	// franzUnknownTopicRetries is sarama's Metadata.Retry.Max default.
	franzUnknownTopicRetries = 3
	// franzMetadataMinAge is sarama's Metadata.Retry.Backoff default.
	franzMetadataMinAge = 250 * time.Millisecond
	// franzBatchOverhead is what a record batch adds to its records on the
	// wire (kgo's recordBatchOverhead).
	franzBatchOverhead = 65
	// franzBrokerMaxBytes is Kafka's default message.max.bytes (1 MiB +
	// 12, kfake's too): the largest record batch a broker takes unless
	// configured otherwise.
	franzBrokerMaxBytes = 1<<20 + 12
	// franzProduceTimeout is sarama's Producer.Timeout default.
	franzProduceTimeout = 10 * time.Second
	// defaultTxnTimeout is sarama's Producer.Transaction.Timeout default,
	// which WithTransactionTimeout documents.
	defaultTxnTimeout = time.Minute
)

// errEpochBumped marks an answer to CommitTxn that means the producer was
// fenced, though not in Kafka's words (see franzBackend.end).
var errEpochBumped = errors.New("the transaction's producer epoch was bumped by another producer or by the broker")

var franzAcks = map[string]kgo.Acks{"all": kgo.AllISRAcks(), "leader": kgo.LeaderAck(), "none": kgo.NoAck()}

var franzCodecs = map[string]kgo.CompressionCodec{
	"none":   kgo.NoCompression(),
	"gzip":   kgo.GzipCompression(),
	"snappy": kgo.SnappyCompression(),
	"lz4":    kgo.Lz4Compression(),
	"zstd":   kgo.ZstdCompression(),
}

// franz validates c and returns the kgo options of its producer, and the
// effective MaxMessageBytes.
func (c Config) franz() ([]kgo.Opt, int, error) {
	if err := c.Validate(); err != nil {
		return nil, 0, err
	}
	opts, err := c.Kafka.Franz()
	if err != nil {
		return nil, 0, err
	}
	maxBytes := c.MaxMessageBytes
	if maxBytes == 0 {
		maxBytes = DefaultMaxMessageBytes
	}
	backoff := c.RetryBackoff
	opts = append(opts,
		kgo.RequiredAcks(franzAcks[c.Acks]),
		kgo.ProducerBatchCompression(franzCodecs[c.Compression]),
		kgo.ProducerLinger(c.FlushFrequency),
		kgo.MaxBufferedRecords(max(c.ChannelBufferSize, 1)*franzBufferFactor),
		kgo.RecordRetries(c.RetryMax),
		kgo.RetryBackoffFn(func(int) time.Duration { return backoff }),
		kgo.ProducerBatchMaxBytes(franzBatchMaxBytes(maxBytes)),
		kgo.ProduceRequestTimeout(franzProduceTimeout),
		kgo.UnknownTopicRetries(franzUnknownTopicRetries),
		// kgo re-asks for a topic it does not know 8 times 250ms apart,
		// then every MetadataMinAge (5s by default): a second record to a
		// missing topic would take 20s to fail. 250ms is sarama's
		// Metadata.Retry.Backoff; it only limits how often an error makes
		// kgo refresh metadata (the periodic refresh stays 5 minutes).
		kgo.MetadataMinAge(franzMetadataMinAge),
		kgo.AllowAutoTopicCreation(),
		kgo.RecordPartitioner(franzPartitioner{}),
	)
	if !c.Idempotent {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	return opts, maxBytes, nil
}

// franzBatchMaxBytes is kgo's ProducerBatchMaxBytes for MaxMessageBytes
// maxBytes: a record of maxBytes and the batch header, at least kgo's
// floor of 512 (maxBytes may be 1), and no more than a broker at its
// defaults takes unless maxBytes itself is more than that.
func franzBatchMaxBytes(maxBytes int) int32 {
	n := max(maxBytes+franzBatchOverhead, 1024)
	if maxBytes <= franzBrokerMaxBytes {
		n = min(n, franzBrokerMaxBytes)
	}
	return int32(n)
}

// franzBackend is the franz-go backend: one kgo.Client producing
// asynchronously, a promise per record.
//
// kgo runs every promise of a client serially on one goroutine of its own
// (in order per partition), never on the goroutine that called Produce:
// the callback contract of SendAsync (exactly once, from a result
// goroutine, must not block for long nor send) holds as on sarama, and a
// callback that blocks holds up every later one and, once
// MaxBufferedRecords are waiting, SendAsync.
type franzBackend struct {
	cl  *kgo.Client
	log *slog.Logger
	// probe sends the records of refused batches again alone (see
	// ErrReordered); nil on a transactional producer and on the prober's
	// own client.
	probe *prober
	// pending counts records handed to kgo whose promise has not run:
	// Flush waits only for records kgo buffered, not for those it failed
	// before buffering (not in a transaction, say), whose promises may
	// still be queued.
	pending sync.WaitGroup

	// The transaction state, for Transactional (txn only).
	txn        bool
	txnID      string
	txnTimeout time.Duration
	mu         sync.Mutex
	inTxn      bool
	fatal      bool
	// failed is why the open transaction cannot commit: the first of its
	// records that failed, or its offsets being refused.
	failed error
	// produced: a record of the open transaction was written, so kgo
	// began the transaction at the broker (see commitOffsets).
	produced bool
	// pendingOffsets are the offsets AddOffsets took, by group.
	pendingOffsets map[string]*groupOffsets
	offs           franzOffsets
}

var (
	_ backend    = (*franzBackend)(nil)
	_ txnBackend = (*franzBackend)(nil)
)

// startFranz validates cfg, connects and starts a franz-go producer, a
// transactional one when txn is not nil.
func startFranz(cfg Config, o options, txn *txnSettings) (started, error) {
	if o.override != nil {
		return started{}, fmt.Errorf("%w: producer: WithSaramaConfig applies to kafka.client %q only, and kafka.client is %q (use WithFranzOptions)",
			kafka.ErrInvalidConfig, kafka.ClientSarama, kafka.ClientFranz)
	}
	opts, maxBytes, err := cfg.franz()
	if err != nil {
		return started{}, err
	}
	s := started{maxBytes: maxBytes}
	if txn != nil {
		s.timeout = defaultTxnTimeout
		if txn.timeoutSet {
			s.timeout = txn.timeout
		}
		opts = append(opts, kgo.TransactionalID(txn.id), kgo.TransactionTimeout(s.timeout))
	}
	opts = append(opts, o.franz...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return s, fmt.Errorf("%w: producer: %w", kafka.ErrInvalidConfig, err)
	}
	// kgo connects lazily; sarama's New fails when no broker answers, and
	// so does this. A transactional producer initializes its producer id
	// now, as sarama does: that fences an earlier incarnation at once and
	// reports a transaction timeout the broker refuses.
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout(cfg.Kafka))
	defer cancel()
	if txn != nil {
		_, _, err = cl.ProducerID(ctx)
	} else {
		err = cl.Ping(ctx)
	}
	if err != nil {
		cl.Close()
		if code := codeOf(err); code != 0 {
			return s, client.Coded(err, int16(code)) // the broker answered: NewTransactional describes it
		}
		return s, fmt.Errorf("%w: %q: %w", ErrUnreachable, cfg.Kafka.Brokers, err)
	}
	b := &franzBackend{cl: cl, log: o.logger, txn: txn != nil}
	s.b = b
	if txn != nil {
		// No probes: a record of a transaction cannot be sent again
		// outside it, so each record of a refused batch is reported
		// refused, as kgo fails it.
		s.txn = b
		b.txnID, b.txnTimeout = txn.id, s.timeout
	} else {
		b.probe = newProber(func() (backend, error) { return openFranzProbe(opts, o.logger) }, o.logger)
	}
	return s, nil
}

// openFranzProbe makes the prober's client: the producer's options, the
// user's included, then one buffered record at a time and no linger, so
// that every produce request carries one record.
func openFranzProbe(opts []kgo.Opt, log *slog.Logger) (backend, error) {
	opts = append(slices.Clip(opts), kgo.MaxBufferedRecords(1), kgo.ProducerLinger(0))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("producer: the client sending records alone: %w", err)
	}
	return &franzBackend{cl: cl, log: log}, nil
}

// startTimeout bounds connecting at start: each broker dialed and asked
// once, as kgo's Ping does.
func startTimeout(k kafka.Config) time.Duration {
	return time.Duration(max(len(k.Brokers), 1)) * (k.DialTimeout + k.ReadTimeout)
}

// franzRecord carries one Message through kgo: the record itself (first,
// so that kgo's *Record is the franzRecord), the caller's callback and a
// promise bound once, so that a pooled send allocates nothing of its own.
type franzRecord struct {
	rec     kgo.Record
	msg     *Message
	done    func(Result)
	b       *franzBackend
	promise func(*kgo.Record, error)
	hdrs    []kgo.RecordHeader
}

// franzRecords pools franzRecords; New is set in init, as it refers to
// the pool itself (through finish and release).
var franzRecords sync.Pool

func init() {
	franzRecords.New = func() any {
		r := new(franzRecord)
		r.promise = r.finish
		return r
	}
}

// notExplicit in kgo.Record.Partition marks a record whose partition the
// partitioner chooses; kgo leaves the field alone until it partitioned.
const notExplicit = math.MinInt32

// send hands msg to kgo. It blocks while MaxBufferedRecords are buffered.
func (b *franzBackend) send(msg *Message, done func(Result)) {
	r := franzRecords.Get().(*franzRecord)
	r.msg, r.done, r.b = msg, done, b
	r.rec.Topic, r.rec.Key, r.rec.Value = msg.Topic, msg.Key, msg.Value
	r.rec.Partition = notExplicit
	if msg.ExplicitPartition {
		// A negative partition stays invalid (-1): kgo fails the record.
		r.rec.Partition = max(msg.Partition, -1)
	}
	if len(msg.Headers) > 0 {
		for _, h := range msg.Headers {
			r.hdrs = append(r.hdrs, kgo.RecordHeader{Key: h.Key, Value: h.Value})
		}
		r.rec.Headers = r.hdrs
	}
	b.pending.Add(1)
	b.cl.Produce(context.Background(), &r.rec, r.promise)
}

// finish is the promise of r: it builds the Result, recycles r and runs
// the callback.
func (r *franzRecord) finish(rec *kgo.Record, err error) {
	b := r.b
	res := Result{Message: r.msg, Partition: rec.Partition, Offset: rec.Offset}
	if err == nil {
		if b.txn {
			b.recordWritten()
		}
		// Perhaps behind a record sent again alone: see written.
		done := r.done
		r.release()
		if !b.probe.written(res, done) {
			done(res)
		}
		b.pending.Done()
		return
	}
	if b.probe != nil && rec.Partition >= 0 && batchRefusal(codeOf(err)) {
		// Perhaps refused for another record of its batch: try alone.
		// rec is r.rec: read all of it before r goes back to the pool.
		msg, done, partition := r.msg, r.done, rec.Partition
		r.release()
		b.probe.probe(msg, partition, err, done)
		b.pending.Done()
		return
	}
	if res.Partition == notExplicit {
		res.Partition = -1
	}
	res.Offset = -1
	res.Err = describeFranz(r.msg, res.Partition, err)
	b.log.Debug("delivery failed", "error", res.Err)
	if b.txn {
		b.recordFailed(res.Err)
	}
	done := r.done
	r.release()
	done(res)
	b.pending.Done()
}

// release returns r to the pool; kgo is done with r.rec once its promise
// was called.
func (r *franzRecord) release() {
	clear(r.hdrs)
	hdrs, promise := r.hdrs[:0], r.promise
	*r = franzRecord{hdrs: hdrs, promise: promise}
	franzRecords.Put(r)
}

// describeFranz is the Result error of msg failing with err: the same
// words and sentinels as on sarama, and the Kafka error code.
func describeFranz(msg *Message, partition int32, err error) error {
	code := codeOf(err)
	if refused := refusal(msg.Topic, Size(msg), code, err); refused != nil {
		return refused
	}
	err = client.Coded(err, int16(code))
	if code == client.ErrUnknownTopicOrPartition {
		return unknownTopic(msg.Topic, err)
	}
	// kgo says so in words only (producer.go: "invalid record
	// partitioning choice"); no sentinel to match.
	if msg.ExplicitPartition && code == 0 && strings.Contains(err.Error(), "invalid record partitioning choice") {
		return fmt.Errorf("producer: deliver to topic %q partition %d: %w: %w", msg.Topic, partition, ErrInvalidPartition, err)
	}
	return fmt.Errorf("producer: deliver to topic %q partition %d: %w", msg.Topic, partition, err)
}

// franzCloseTimeout bounds the flush of Close. An idempotent kgo producer
// never fails a record that went out in a request without an answer (it
// cannot know its sequence was not written), so with the cluster gone a
// flush would wait for it forever; sarama gives up after its retries.
var franzCloseTimeout = 30 * time.Second // a var for tests

// close flushes (for at most franzCloseTimeout), waits for every promise
// and probe, then closes the clients. Records not written by then fail
// with kgo's ErrClientClosed when the client closes: every callback still
// runs, once.
func (b *franzBackend) close() {
	ctx, cancel := context.WithTimeout(context.Background(), franzCloseTimeout)
	defer cancel()
	if err := b.cl.Flush(ctx); err != nil {
		b.log.Warn("producer: records not acknowledged within the close timeout fail now", "timeout", franzCloseTimeout, "error", err)
		b.cl.Close() // fails what is buffered: their promises run
	}
	b.pending.Wait()
	b.probe.close()
	b.cl.Close()
}

// recordFailed notes that a record failed: it spoils the open transaction
// (sarama's abortable state), or fences the producer.
func (b *franzBackend) recordFailed(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.inTxn && b.failed == nil {
		b.failed = err
	}
	b.noteLocked(err)
}

// recordWritten notes that a record of the open transaction was written:
// kgo added its partition to the transaction, which began at the broker.
func (b *franzBackend) recordWritten() {
	b.mu.Lock()
	if b.inTxn {
		b.produced = true
	}
	b.mu.Unlock()
}

// noteLocked marks the producer fatal on an error it cannot recover from.
func (b *franzBackend) noteLocked(err error) {
	switch codeOf(err) {
	case client.ErrProducerFenced, client.ErrInvalidProducerEpoch, codeTransactionalIDAuthorizationFailed, codeInvalidProducerIDMapping:
		b.fatal = true
	}
}

func (b *franzBackend) begin() error {
	if err := b.cl.BeginTransaction(); err != nil {
		b.mu.Lock()
		b.noteLocked(err)
		b.mu.Unlock()
		return err
	}
	b.mu.Lock()
	b.inTxn, b.failed, b.produced, b.pendingOffsets = true, nil, false, nil
	b.mu.Unlock()
	return nil
}

// commit flushes the transaction's records, commits the offsets
// AddOffsets took (commitOffsets) and commits the transaction, unless one
// of its records failed or its offsets were refused: then it stays open,
// to be aborted.
func (b *franzBackend) commit() error {
	// Bounded as Close is (franzCloseTimeout), and by the transaction
	// timeout: the broker aborts a transaction open longer anyway.
	ctx, cancel := context.WithTimeout(context.Background(), min(franzCloseTimeout, max(b.txnTimeout, time.Second)))
	defer cancel()
	if err := b.cl.Flush(ctx); err != nil {
		err = fmt.Errorf("producer: the transaction's records were not all acknowledged in time, it must be aborted: %w", err)
		b.mu.Lock()
		if b.failed == nil {
			b.failed = err
		}
		b.mu.Unlock()
		return err
	}
	b.pending.Wait() // no SendAsync runs during CommitTxn
	b.mu.Lock()
	failed, produced := b.failed, b.produced
	b.mu.Unlock()
	if failed != nil {
		return fmt.Errorf("producer: the transaction cannot commit, it must be aborted: %w", failed)
	}
	// Without records the offsets are committed outside the transaction
	// (commitOffsets says why), before it ends: kgo's EndTransaction sends
	// nothing then, and a refusal leaves the transaction to AbortTxn as
	// any other failure does.
	if err := b.commitOffsets(produced); err != nil {
		b.mu.Lock()
		if b.failed == nil {
			b.failed = err
		}
		b.noteLocked(err)
		b.mu.Unlock()
		return err
	}
	return b.end(kgo.TryCommit)
}

// abort fails the records not sent yet, waits for those in flight and
// aborts the transaction.
func (b *franzBackend) abort() error {
	// AbortBufferedRecords waits for requests in flight, forever if the
	// cluster is gone: bounded as commit is. Failing, the producer is
	// closed by its owner and a new one fences this one.
	ctx, cancel := context.WithTimeout(context.Background(), min(franzCloseTimeout, max(b.txnTimeout, time.Second)))
	defer cancel()
	if err := b.cl.AbortBufferedRecords(ctx); err != nil {
		return fmt.Errorf("producer: aborting the transaction's records: %w", err)
	}
	b.pending.Wait()
	return b.end(kgo.TryAbort)
}

// end ends the transaction. kgo keeps it open when that fails; so does
// the state here, to be aborted (or the producer dropped when fatal).
func (b *franzBackend) end(how kgo.TransactionEndTry) error {
	// No deadline: kgo warns that cancelling EndTxn leaves its outcome
	// unknown; its request retries and timeouts bound it.
	err := b.cl.EndTransaction(context.Background(), how)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		if how == kgo.TryCommit && codeOf(err) == codeInvalidTxnState {
			// Under KIP-890 (EndTxn v5) a broker whose epoch for this
			// transactional id is one ahead, with no transaction open,
			// takes a commit for a retry of an EndTxn that aborted and
			// answers INVALID_TXN_STATE: the epoch was bumped by a newer
			// producer's InitProducerId, or by the broker aborting the
			// transaction on its timeout. Both fence this producer, and
			// kgo keeps the error as its producer id's: it cannot go on.
			err = fmt.Errorf("%w: %w", errEpochBumped, err)
			b.fatal = true
		}
		b.noteLocked(err)
		return err
	}
	b.inTxn, b.failed, b.produced, b.pendingOffsets = false, nil, false, nil
	return nil
}

func (b *franzBackend) status() txnStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	return txnStatus{fatal: b.fatal, abortable: b.inTxn && !b.fatal && b.failed != nil, inTxn: b.inTxn}
}
