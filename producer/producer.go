package producer

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/karafka-actors/karafka-actors/kafka"
)

// Producer sends [Message]s asynchronously through one Kafka client: a
// sarama AsyncProducer (Config.Kafka.Client "sarama", the default) or a
// franz-go client ("franz"). It is safe for concurrent use.
type Producer struct {
	b   backend
	log *slog.Logger
	// maxBytes is Config.MaxMessageBytes: larger records are not sent.
	maxBytes int

	// mu guards closed; senders hold it for reading while they hand a
	// message to the backend, so Close never closes it under a sender.
	mu     sync.RWMutex
	closed bool

	closeOnce sync.Once
}

// New validates cfg, connects to the cluster and starts the producer.
//
// Errors wrap kafka.ErrInvalidConfig for configuration problems, or
// [ErrUnreachable] together with the client library's cause when no
// broker answered.
func New(cfg Config, opts ...Option) (*Producer, error) {
	p, _, err := start(cfg, newOptions(opts), nil)
	return p, err
}

// start makes the backend cfg names and the Producer over it.
func start(cfg Config, o options, txn *txnSettings) (*Producer, started, error) {
	var (
		s   started
		err error
	)
	switch cfg.Kafka.Client {
	case kafka.ClientFranz:
		s, err = startFranz(cfg, o, txn)
	default: // "sarama"; Validate refuses anything else
		if o.franzSet {
			return nil, s, fmt.Errorf("%w: producer: WithFranzOptions applies to kafka.client %q only, and kafka.client is %q (use WithSaramaConfig)",
				kafka.ErrInvalidConfig, kafka.ClientFranz, cfg.Kafka.Client)
		}
		s, err = startSarama(cfg, o, txn)
	}
	if err != nil {
		return nil, s, err
	}
	p := &Producer{b: s.b, log: o.logger, maxBytes: s.maxBytes}
	p.log.Debug("producer started", "client", cfg.Kafka.Client, "brokers", cfg.Kafka.Brokers, "acks", cfg.Acks, "idempotent", cfg.Idempotent)
	return p, s, nil
}

// Close stops accepting messages (they fail with [ErrClosed]), waits until
// every message sent before got its callback, and closes the client. It is
// idempotent and safe to call concurrently with SendAsync; later calls wait
// for the first one to finish and return nil.
func (p *Producer) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		p.log.Debug("producer closing, flushing in-flight messages")
		p.b.close()
	})
	return nil
}
