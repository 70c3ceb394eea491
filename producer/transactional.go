package producer

import (
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// Transactional is a [Producer] whose records go into Kafka transactions
// (exactly-once processing): between BeginTxn and CommitTxn or AbortTxn,
// every record sent with SendAsync and every offset added with AddOffsets
// becomes visible to read_committed consumers together, or not at all.
//
// Transactions are not concurrent: one is open at a time, and its owner
// must not call BeginTxn, AddOffsets, CommitTxn or AbortTxn from several
// goroutines at once, nor SendAsync while CommitTxn or AbortTxn runs.
// CommitTxn waits until every record sent in the transaction got its
// callback.
type Transactional struct {
	*Producer
	txn     txnBackend
	id      string
	timeout time.Duration // the transaction timeout the broker was given
}

// ErrFenced is wrapped by the errors of a transactional producer that
// another one took over: a producer started later with the same
// transactional id, or a newer member of the consumer group whose offsets
// it commits (Kafka's PRODUCER_FENCED, which sarama prints as "Unknown
// error ... 90", and INVALID_PRODUCER_EPOCH). The broker also fences the
// producer of a transaction it aborted for outliving its timeout
// ([WithTransactionTimeout]). A fenced producer cannot recover: close it
// and make a new one.
var ErrFenced = errors.New("producer: fenced: another producer took over this transactional id or consumer group member")

// minTxnVersion is the first Kafka version whose TxnOffsetCommit carries the
// group member and generation (KIP-447), which fences stale members.
var minTxnVersion = sarama.V2_5_0_0

// NewTransactional validates cfg, connects and initializes a transactional
// producer with transactional id id (Kafka's InitProducerId: a producer of
// an earlier incarnation with the same id is fenced, and its open
// transaction aborted). cfg must be idempotent with acks "all", and
// cfg.Kafka.Version at least 2.5.0. [WithTransactionTimeout] sets the
// transaction timeout; a broker that refuses it (above its
// transaction.max.timeout.ms) makes an error naming transaction.timeout
// that wraps kafka.ErrInvalidConfig and carries Kafka's code
// client.ErrInvalidTransactionTimeout (on sarama it also matches
// sarama.ErrInvalidTransactionTimeout).
//
// On kafka.client "franz" the producer is a kgo client with
// kgo.TransactionalID and kgo.TransactionTimeout (default 1 minute, as
// sarama's); it initializes its producer id in NewTransactional, as sarama
// does. BeginTxn is kgo's BeginTransaction, CommitTxn flushes and ends the
// transaction with TryCommit (or, when a record of it failed, returns that
// failure and leaves it to AbortTxn), AbortTxn drops the records not sent
// yet (AbortBufferedRecords) and ends it with TryAbort. AddOffsets works
// there as on sarama: see it for how.
func NewTransactional(cfg Config, id string, opts ...Option) (*Transactional, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: transactional id: empty", kafka.ErrInvalidConfig)
	}
	if err := CheckTransactional(cfg); err != nil {
		return nil, err
	}
	o := newOptions(opts)
	if o.txnTimeoutSet && o.txnTimeout < time.Millisecond {
		return nil, fmt.Errorf("%w: transaction.timeout: %v must be at least 1ms", kafka.ErrInvalidConfig, o.txnTimeout)
	}
	p, s, err := start(cfg, o, &txnSettings{id: id, timeout: o.txnTimeout, timeoutSet: o.txnTimeoutSet})
	if err != nil {
		return nil, describeTxn(id, s.timeout, err)
	}
	return &Transactional{Producer: p, txn: s.txn, id: id, timeout: s.timeout}, nil
}

// CheckTransactional reports why cfg cannot make a transactional producer:
// it needs idempotence, acks "all" and kafka.version >= 2.5.0. Each error
// wraps kafka.ErrInvalidConfig and names its key.
func CheckTransactional(cfg Config) error {
	var errs []error
	if !cfg.Idempotent {
		errs = append(errs, fmt.Errorf("%w: producer.idempotent: exactly-once needs the idempotent producer (true)", kafka.ErrInvalidConfig))
	}
	if cfg.Acks != "all" {
		errs = append(errs, fmt.Errorf("%w: producer.acks: exactly-once needs \"all\", got %q", kafka.ErrInvalidConfig, cfg.Acks))
	}
	if v, err := sarama.ParseKafkaVersion(cfg.Kafka.Version); err == nil && !v.IsAtLeast(minTxnVersion) {
		errs = append(errs, fmt.Errorf("%w: kafka.version: exactly-once needs >= 2.5.0 (transactional offset commits that fence stale group members, KIP-447), got %q",
			kafka.ErrInvalidConfig, cfg.Kafka.Version))
	}
	return errors.Join(errs...)
}

// ID is the producer's transactional id.
func (t *Transactional) ID() string { return t.id }

// BeginTxn opens a transaction.
func (t *Transactional) BeginTxn() error { return describeTxn(t.id, t.timeout, t.txn.begin()) }

// AddOffsets adds the offsets to commit for a consumer group to the open
// transaction: they are committed with it, and only if the group member
// and generation in member are still current (a bare group id fences
// nothing). The offsets reach the broker in CommitTxn.
//
// On kafka.client "franz" the producer speaks the protocol itself through
// its kgo client (kgo adds offsets only to the transactions of the group
// member's own client). When a record of the transaction was written,
// CommitTxn sends AddOffsetsToTxn (before KIP-890 part 2) and
// TxnOffsetCommit, then ends the transaction, which commits them with the
// records. When none was, kgo began no transaction at the broker and ends
// none, so transactional offsets would stay pending there (and the
// group's read_committed offset fetches refused, UNSTABLE_OFFSET_COMMIT)
// until the transaction timeout: CommitTxn then commits them with a plain
// OffsetCommit fenced by the member id and generation, which no output has
// to become visible with. Offsets a stale member commits are refused with
// an error wrapping [ErrStaleMember]; the transaction is then Abortable.
func (t *Transactional) AddOffsets(offsets []client.Offset, member client.Member) error {
	return describeTxn(t.id, t.timeout, t.txn.addOffsets(offsets, member))
}

// CommitTxn waits for every record of the transaction, then commits it. On
// error, Abortable or Fatal says what to do next.
func (t *Transactional) CommitTxn() error { return describeTxn(t.id, t.timeout, t.txn.commit()) }

// AbortTxn waits for every record of the transaction, then aborts it.
func (t *Transactional) AbortTxn() error { return describeTxn(t.id, t.timeout, t.txn.abort()) }

// Fatal reports whether the producer is in a fatal error state (fenced, or
// its producer id is no longer known): it must be closed and made again.
func (t *Transactional) Fatal() bool { return t.txn.status().fatal }

// Abortable reports whether the open transaction failed and must be aborted.
func (t *Transactional) Abortable() bool { return t.txn.status().abortable }

// InTransaction reports whether a transaction is open.
func (t *Transactional) InTransaction() bool { return t.txn.status().inTxn }

// describeTxn names what a transactional error means; nil stays nil.
// timeout is the transaction timeout the producer gave the broker. Kafka
// errors of either client library are told apart by their code, which the
// result carries ([client.Coded]).
func describeTxn(id string, timeout time.Duration, err error) error {
	if err == nil {
		return nil
	}
	code, kerr := kafkaError(err)
	err = client.Coded(err, int16(code))
	if errors.Is(err, errEpochBumped) {
		code = client.ErrProducerFenced // described as fenced; the error keeps the broker's code
	}
	switch code {
	case client.ErrInvalidTransactionTimeout:
		// Only the broker's error is kept: it answered, so this is not
		// the ErrUnreachable that may wrap it.
		// Refused in InitProducerId. sarama's text names the broker setting
		// max.transaction.timeout.ms; it is transaction.max.timeout.ms.
		return &txnError{msg: fmt.Sprintf("%v: transaction.timeout: the broker refuses %v (INVALID_TRANSACTION_TIMEOUT, transactional id %q): "+
			"it is above the broker's transaction.max.timeout.ms (15m by default); lower transaction.timeout or raise that broker setting",
			kafka.ErrInvalidConfig, timeout, id),
			errs: []error{kafka.ErrInvalidConfig, client.Coded(kerr, int16(code))}}
	case client.ErrProducerFenced, client.ErrInvalidProducerEpoch:
		return &txnError{msg: fmt.Sprintf("producer: transactional id %q was fenced: a newer producer with this id, or a newer member of the consumer group, took over; or its transaction outlived transaction.timeout %v and the broker aborted it (Kafka error: %v)", id, timeout, err),
			errs: []error{ErrFenced, err}}
	case codeInvalidProducerIDMapping:
		return fmt.Errorf("producer: transactional id %q: the broker no longer knows this producer (its transaction timed out or expired); it must be made again: %w", id, err)
	case codeTransactionalIDAuthorizationFailed:
		return fmt.Errorf("producer: transactional id %q: the Kafka user may not use it (ACL on TransactionalId): %w", id, err)
	}
	return fmt.Errorf("producer: transactional id %q: %w", id, err)
}

// Kafka error codes describeTxn tells apart that package client has no
// name for.
const (
	codeInvalidProducerIDMapping           client.Code = 49
	codeTransactionalIDAuthorizationFailed client.Code = 53
	codeInvalidTxnState                    client.Code = 48
)

type txnError struct {
	msg  string
	errs []error
}

func (e *txnError) Error() string   { return e.msg }
func (e *txnError) Unwrap() []error { return e.errs }
