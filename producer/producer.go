package producer

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/kafka"
)

// Producer sends [Message]s asynchronously through one sarama AsyncProducer.
// It is safe for concurrent use.
type Producer struct {
	ap     sarama.AsyncProducer
	client sarama.Client // ap's, which ap does not close (NewAsyncProducerFromClient)
	log    *slog.Logger
	// maxBytes is Config.MaxMessageBytes: larger records are not sent.
	maxBytes int

	// mu guards closed; senders hold it for reading while they hand a
	// message to sarama, so Close never closes sarama under a sender.
	mu     sync.RWMutex
	closed bool

	results   chan struct{} // closed when the result loop ended
	closeOnce sync.Once
}

// New validates cfg, connects to the cluster and starts the producer.
//
// Errors wrap kafka.ErrInvalidConfig for configuration problems, or
// [ErrUnreachable] together with the sarama cause when no broker answered.
func New(cfg Config, opts ...Option) (*Producer, error) {
	o := options{logger: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	sc, err := cfg.sarama()
	if err != nil {
		return nil, err
	}
	if o.override != nil {
		o.override(sc)
		sc.Producer.Return.Successes = true
		sc.Producer.Return.Errors = true
	}
	// The client is made here rather than by sarama.NewAsyncProducer, which
	// leaves it open (its metadata updater and broker connections running)
	// when making the producer fails, as a transactional producer's
	// InitProducerId may.
	client, err := sarama.NewClient(cfg.Kafka.Brokers, sc)
	if err != nil {
		return nil, startError(cfg, err)
	}
	ap, err := sarama.NewAsyncProducerFromClient(client)
	if err != nil {
		_ = client.Close()
		return nil, startError(cfg, err)
	}
	p := &Producer{ap: ap, client: client, log: o.logger, maxBytes: sc.Producer.MaxMessageBytes, results: make(chan struct{})}
	go p.deliver()
	p.log.Debug("producer started", "brokers", cfg.Kafka.Brokers, "acks", cfg.Acks, "idempotent", cfg.Idempotent)
	return p, nil
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

// deliver calls the callback of every message sarama reports back, until
// sarama closed both result channels.
func (p *Producer) deliver() {
	defer close(p.results)
	successes, errs := p.ap.Successes(), p.ap.Errors()
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
			p.log.Debug("delivery failed", "error", err)
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

// Close stops accepting messages (they fail with [ErrClosed]), waits until
// every message sent before got its callback, and closes sarama. It is
// idempotent and safe to call concurrently with SendAsync; later calls wait
// for the first one to finish and return nil.
func (p *Producer) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		// AsyncClose flushes, then closes Successes and Errors; deliver
		// drains both so every callback runs before we return.
		p.ap.AsyncClose()
		p.log.Debug("producer closing, flushing in-flight messages")
		<-p.results
		_ = p.client.Close()
	})
	return nil
}
