package producer

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// saramaBackend is the sarama backend: one sarama AsyncProducer whose
// results one goroutine (deliver) drains.
type saramaBackend struct {
	ap      sarama.AsyncProducer
	client  sarama.Client // ap's, which ap does not close (NewAsyncProducerFromClient)
	log     *slog.Logger
	results chan struct{} // closed when the result loop ended
	// probe sends the records of refused batches again alone (see
	// ErrReordered); nil on a transactional producer and on the prober's
	// own client.
	probe *prober
}

var (
	_ backend    = (*saramaBackend)(nil)
	_ txnBackend = (*saramaBackend)(nil)
)

// startSarama validates cfg, connects and starts a sarama producer, a
// transactional one when txn is not nil.
func startSarama(cfg Config, o options, txn *txnSettings) (started, error) {
	sc, err := saramaConfig(cfg, o)
	if err != nil {
		return started{}, err
	}
	if txn != nil {
		sc.Producer.Transaction.ID = txn.id
		sc.Producer.Idempotent = true
		sc.Net.MaxOpenRequests = 1
		if txn.timeoutSet {
			sc.Producer.Transaction.Timeout = txn.timeout
		}
	}
	s := started{maxBytes: sc.Producer.MaxMessageBytes, timeout: sc.Producer.Transaction.Timeout}
	b, err := openSarama(cfg, sc, o.logger)
	if err != nil {
		return s, err
	}
	s.b = b
	if txn != nil {
		// No probes: a record of a transaction cannot be sent again
		// outside it, so each record of a refused batch is reported
		// refused, as sarama fails it.
		s.txn = b
	} else {
		b.probe = newProber(func() (backend, error) { return openSaramaProbe(cfg, o) }, o.logger)
	}
	return s, nil
}

// saramaConfig is the sarama configuration of cfg, with the user's
// overrides.
func saramaConfig(cfg Config, o options) (*sarama.Config, error) {
	sc, err := cfg.sarama()
	if err != nil {
		return nil, err
	}
	if o.override != nil {
		o.override(sc)
	}
	sc.Producer.Return.Successes = true
	sc.Producer.Return.Errors = true
	return sc, nil
}

// openSarama connects and starts a producer of configuration sc.
func openSarama(cfg Config, sc *sarama.Config, log *slog.Logger) (*saramaBackend, error) {
	// The client is made here rather than by sarama.NewAsyncProducer, which
	// leaves it open (its metadata updater and broker connections running)
	// when making the producer fails, as a transactional producer's
	// InitProducerId may.
	cl, err := sarama.NewClient(cfg.Kafka.Brokers, sc)
	if err != nil {
		return nil, startError(cfg, err)
	}
	ap, err := sarama.NewAsyncProducerFromClient(cl)
	if err != nil {
		_ = cl.Close()
		return nil, startError(cfg, err)
	}
	b := &saramaBackend{ap: ap, client: cl, log: log, results: make(chan struct{})}
	go b.deliver()
	return b, nil
}

// openSaramaProbe makes the prober's client: the producer's configuration,
// the user's overrides included, then at most one record per request, one
// request at a time, and no linger.
func openSaramaProbe(cfg Config, o options) (backend, error) {
	sc, err := saramaConfig(cfg, o)
	if err != nil {
		return nil, err
	}
	f := &sc.Producer.Flush
	f.MaxMessages, f.Messages, f.Bytes, f.Frequency = 1, 0, 0, 0
	sc.Net.MaxOpenRequests = 1
	b, err := openSarama(cfg, sc, o.logger)
	if err != nil {
		return nil, fmt.Errorf("producer: the client sending records alone: %w", err)
	}
	return b, nil
}

// startError says why sarama could not start a producer: a configuration
// sarama refuses, or brokers that did not answer as needed.
func startError(cfg Config, err error) error {
	var cerr sarama.ConfigurationError
	if errors.As(err, &cerr) {
		return fmt.Errorf("%w: producer: %w", kafka.ErrInvalidConfig, err)
	}
	return fmt.Errorf("%w: %q: %w", ErrUnreachable, cfg.Kafka.Brokers, err)
}

// send hands msg to sarama; it blocks while sarama's input channel is full.
func (b *saramaBackend) send(msg *Message, done func(Result)) {
	b.ap.Input() <- &wrap(msg, done).pm
}

// deliver calls the callback of every message sarama reports back, until
// sarama closed both result channels. Both channels are unbuffered and a
// partition's results come from its broker producer's goroutine one at a
// time, so a refused batch's errors are all taken (and queued to probe)
// before the success of a later batch of the partition is sent: the
// select below cannot see them out of order (see prober.written).
func (b *saramaBackend) deliver() {
	defer close(b.results)
	successes, errs := b.ap.Successes(), b.ap.Errors()
	var f failures
	for successes != nil || errs != nil {
		select {
		case pm, ok := <-successes:
			if !ok {
				successes = nil
				continue
			}
			f.succeeded(pm.Topic)
			finish(pm, nil, b.probe)
		case perr, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			if part := perr.Msg.Partition; b.probe != nil && part >= 0 && batchRefusal(codeOf(perr.Err)) {
				if e, ok := perr.Msg.Metadata.(*envelope); ok {
					// Perhaps refused for another record of its
					// batch: try alone.
					msg, done := e.msg, e.done
					e.release() // perr.Msg with it
					b.probe.probe(msg, part, perr.Err, done)
					continue
				}
			}
			err := f.describe(perr.Msg, perr.Err)
			b.log.Debug("delivery failed", "error", err)
			finish(perr.Msg, err, nil)
		}
	}
}

// finish builds the Result of pm, recycles its envelope and runs the
// callback, or hands a success to probe (see prober.written).
func finish(pm *sarama.ProducerMessage, err error, probe *prober) {
	e, ok := pm.Metadata.(*envelope)
	if !ok {
		return // not ours
	}
	r := Result{Message: e.msg, Partition: pm.Partition, Offset: pm.Offset, Err: err}
	done := e.done
	e.release()
	if done != nil && (err != nil || !probe.written(r, done)) {
		done(r)
	}
}

// close flushes: AsyncClose sends what is buffered, then closes Successes
// and Errors; deliver drains both so every callback runs before we return.
func (b *saramaBackend) close() {
	b.ap.AsyncClose()
	<-b.results
	b.probe.close()
	_ = b.client.Close()
}

func (b *saramaBackend) begin() error  { return b.ap.BeginTxn() }
func (b *saramaBackend) commit() error { return b.ap.CommitTxn() }
func (b *saramaBackend) abort() error  { return b.ap.AbortTxn() }

// addOffsets converts to sarama's shapes: the offsets by topic, and the
// member as sarama.NewConsumerGroupMetadataFromSession makes it.
func (b *saramaBackend) addOffsets(offsets []client.Offset, m client.Member) error {
	byTopic := make(map[string][]*sarama.PartitionOffsetMetadata)
	for _, o := range offsets {
		byTopic[o.Topic] = append(byTopic[o.Topic], &sarama.PartitionOffsetMetadata{Partition: o.Partition, Offset: o.Offset})
	}
	meta := &sarama.ConsumerGroupMetadata{GroupID: m.Group, GenerationID: m.Generation, MemberID: m.MemberID}
	if m.InstanceID != "" {
		id := m.InstanceID
		meta.GroupInstanceID = &id
	}
	return b.ap.AddOffsetsToTxnWithGroupMetadata(byTopic, meta)
}

func (b *saramaBackend) status() txnStatus {
	s := b.ap.TxnStatus()
	return txnStatus{
		fatal:     s&sarama.ProducerTxnFlagFatalError != 0,
		abortable: s&sarama.ProducerTxnFlagAbortableError != 0,
		inTxn:     s&sarama.ProducerTxnFlagInTransaction != 0,
	}
}
