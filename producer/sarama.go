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
}

var (
	_ backend    = (*saramaBackend)(nil)
	_ txnBackend = (*saramaBackend)(nil)
)

// startSarama validates cfg, connects and starts a sarama producer, a
// transactional one when txn is not nil.
func startSarama(cfg Config, o options, txn *txnSettings) (started, error) {
	sc, err := cfg.sarama()
	if err != nil {
		return started{}, err
	}
	if o.override != nil {
		o.override(sc)
	}
	if txn != nil {
		sc.Producer.Transaction.ID = txn.id
		sc.Producer.Idempotent = true
		sc.Net.MaxOpenRequests = 1
		if txn.timeoutSet {
			sc.Producer.Transaction.Timeout = txn.timeout
		}
	}
	sc.Producer.Return.Successes = true
	sc.Producer.Return.Errors = true
	s := started{maxBytes: sc.Producer.MaxMessageBytes, timeout: sc.Producer.Transaction.Timeout}
	// The client is made here rather than by sarama.NewAsyncProducer, which
	// leaves it open (its metadata updater and broker connections running)
	// when making the producer fails, as a transactional producer's
	// InitProducerId may.
	cl, err := sarama.NewClient(cfg.Kafka.Brokers, sc)
	if err != nil {
		return s, startError(cfg, err)
	}
	ap, err := sarama.NewAsyncProducerFromClient(cl)
	if err != nil {
		_ = cl.Close()
		return s, startError(cfg, err)
	}
	b := &saramaBackend{ap: ap, client: cl, log: o.logger, results: make(chan struct{})}
	go b.deliver()
	s.b = b
	if txn != nil {
		s.txn = b
	}
	return s, nil
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
// sarama closed both result channels.
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
			finish(pm, nil)
		case perr, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			err := f.describe(perr.Msg, perr.Err)
			b.log.Debug("delivery failed", "error", err)
			finish(perr.Msg, err)
		}
	}
}

// finish builds the Result of pm, recycles its envelope and runs the callback.
func finish(pm *sarama.ProducerMessage, err error) {
	e, ok := pm.Metadata.(*envelope)
	if !ok {
		return // not ours
	}
	r := Result{Message: e.msg, Partition: pm.Partition, Offset: pm.Offset, Err: err}
	done := e.done
	e.release()
	if done != nil {
		done(r)
	}
}

// close flushes: AsyncClose sends what is buffered, then closes Successes
// and Errors; deliver drains both so every callback runs before we return.
func (b *saramaBackend) close() {
	b.ap.AsyncClose()
	<-b.results
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
