package actors

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/karafka-actors/karafka-actors/internal/bounds"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// errInvalidConfig is wrapped by every configuration error of this package.
var errInvalidConfig = errors.New("actors: invalid config")

// ConsumerConfig tunes the consuming side of every listener.
type ConsumerConfig struct {
	// SessionTimeout (>= 1s) and HeartbeatInterval (>= 1ms, below
	// SessionTimeout) are the consumer group's.
	SessionTimeout    time.Duration
	HeartbeatInterval time.Duration
	// RebalanceTimeout is how long the group coordinator waits for every
	// member to rejoin a rebalance; members that do not are dropped. A join
	// may be held that long, so JoinGroup and SyncGroup answers are awaited
	// RebalanceTimeout + 5s (as the Java client does), not kafka.read_timeout.
	RebalanceTimeout time.Duration
	// InstanceID, when set, makes this process a static member (KIP-345,
	// Kafka >= 2.3) of every consumer group it joins: restarted with the same
	// id within SessionTimeout, it gets its partitions back without a
	// rebalance and without waiting for its previous incarnation's session to
	// expire. It must be unique per process and stable across its restarts
	// (a systemd instance name, a StatefulSet pod name). Empty: dynamic
	// membership.
	InstanceID string
	// CommitInterval bounds the time between two commits. Marked offsets
	// are committed as soon as the previous commit returned (one commit in
	// flight per membership, so they coalesce under load); CommitInterval
	// also retries a commit that failed when nothing new is marked.
	CommitInterval time.Duration
	// MaxInFlight bounds the accepted, not yet done messages of one
	// partition; at the bound the partition is paused.
	MaxInFlight int
	// BatchSize bounds how many already-fetched messages are handed to a
	// partition actor at once.
	BatchSize int
	// DrainTimeout bounds how long a revoked partition waits for its
	// in-flight messages before it is handed back anyway.
	DrainTimeout time.Duration
	// FetchMaxWait is how long the broker may hold a fetch that finds no
	// new messages (fetch.max.wait.ms). A consumer has one fetch in flight
	// per broker, for all its partitions there, and a partition resumed
	// after backpressure (MaxInFlight) is fetched only once that fetch
	// returns: when the other partitions are idle, the broker holds it the
	// whole FetchMaxWait, so a backlogged partition next to an idle one
	// moves about MaxInFlight/2 messages per FetchMaxWait. Shorter is faster
	// there and costs idle consumers more empty fetches (1/FetchMaxWait per
	// second per broker and consumer group).
	FetchMaxWait time.Duration
	// ReconnectBackoff spaces attempts to reach the brokers.
	ReconnectBackoff supervision.Backoff
	// MaxRecordBytes bounds a consumed record (key, value and headers, as
	// fetched and decompressed): a larger one is not processed. Its value
	// and headers are let go of as soon as it is consumed, and it fails at
	// once (an error matching ErrRecordTooLarge): dead-lettered without its
	// value (its dead letter names its size), or, with no dead letter topic,
	// it blocks its partition as a failure does. 0: no bound. Default 32
	// MiB, at most 1 GiB.
	MaxRecordBytes int
	// FetchBytes is how many bytes of a partition a fetch asks for at
	// first (sarama's Consumer.Fetch.Default); a larger record makes the
	// next fetch of that partition ask for twice as much, up to
	// FetchMaxBytes. Default 1 MiB.
	FetchBytes int
	// FetchMaxBytes caps what a fetch asks for per partition (0: no cap
	// but the 100 MiB a response may hold): a record larger than it cannot
	// be consumed, and its partition waits. Default 0.
	FetchMaxBytes int
}

// DefaultConsumerConfig returns the defaults.
func DefaultConsumerConfig() ConsumerConfig {
	return ConsumerConfig{
		SessionTimeout:    10 * time.Second,
		HeartbeatInterval: 3 * time.Second,
		RebalanceTimeout:  60 * time.Second,
		CommitInterval:    time.Second,
		MaxInFlight:       2000,
		BatchSize:         500,
		DrainTimeout:      30 * time.Second,
		FetchMaxWait:      100 * time.Millisecond,
		ReconnectBackoff:  supervision.Backoff{Initial: 250 * time.Millisecond, Max: 30 * time.Second, Multiplier: 2, Jitter: 0.2},
		MaxRecordBytes:    defaultMaxRecordBytes,
		FetchBytes:        1 << 20,
	}
}

// Validate reports every invalid field, naming its key under "consumer.".
func (c ConsumerConfig) Validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: consumer.%s: %s", errInvalidConfig, key, fmt.Sprintf(format, a...)))
	}
	if c.SessionTimeout < time.Second {
		bad("session_timeout", "%v is below 1s", c.SessionTimeout)
	} else if c.SessionTimeout > bounds.Duration {
		bad("session_timeout", "%v must be at most %v", c.SessionTimeout, bounds.Duration)
	}
	// sarama's floor is 1ms.
	if c.HeartbeatInterval < time.Millisecond || c.HeartbeatInterval >= c.SessionTimeout {
		bad("heartbeat_interval", "%v must be at least 1ms and below session_timeout (%v)", c.HeartbeatInterval, c.SessionTimeout)
	}
	if c.RebalanceTimeout < time.Second || c.RebalanceTimeout > maxRebalanceTimeout {
		bad("rebalance_timeout", "%v is outside 1s..%v", c.RebalanceTimeout, maxRebalanceTimeout)
	}
	if c.InstanceID != "" {
		if err := checkInstanceID(c.InstanceID); err != nil {
			bad("instance_id", "%q %v", c.InstanceID, err)
		}
	}
	if c.CommitInterval <= 0 {
		bad("commit_interval", "%v must be positive", c.CommitInterval)
	} else if c.CommitInterval > bounds.Duration {
		bad("commit_interval", "%v must be at most %v", c.CommitInterval, bounds.Duration)
	}
	if c.MaxInFlight < 1 {
		bad("max_in_flight", "%d must be at least 1", c.MaxInFlight)
	} else if c.MaxInFlight > bounds.MaxInFlight {
		bad("max_in_flight", "%d must be at most %d", c.MaxInFlight, bounds.MaxInFlight)
	}
	if c.BatchSize < 1 {
		bad("batch_size", "%d must be at least 1", c.BatchSize)
	} else if c.BatchSize > bounds.BatchSize {
		// Each partition allocates buffers of this size up front.
		bad("batch_size", "%d must be at most %d", c.BatchSize, bounds.BatchSize)
	}
	if c.DrainTimeout <= 0 {
		bad("drain_timeout", "%v must be positive", c.DrainTimeout)
	} else if c.DrainTimeout > bounds.Duration {
		bad("drain_timeout", "%v must be at most %v", c.DrainTimeout, bounds.Duration)
	}
	if c.FetchMaxWait < time.Millisecond || c.FetchMaxWait > maxFetchMaxWait {
		bad("fetch_max_wait", "%v is outside 1ms..%v", c.FetchMaxWait, maxFetchMaxWait)
	}
	if c.MaxRecordBytes < 0 || c.MaxRecordBytes > maxRecordBytesLimit {
		bad("max_record_bytes", "%d is outside 0 (no bound)..%d (1 GiB)", c.MaxRecordBytes, maxRecordBytesLimit)
	}
	if c.FetchBytes < 1 || c.FetchBytes > bounds.FetchBytes {
		bad("fetch_bytes", "%d is outside 1..%d", c.FetchBytes, bounds.FetchBytes)
	}
	if c.FetchMaxBytes < 0 || c.FetchMaxBytes > bounds.FetchBytes {
		bad("fetch_max_bytes", "%d is outside 0 (no cap)..%d", c.FetchMaxBytes, bounds.FetchBytes)
	} else if c.FetchMaxBytes > 0 && c.FetchMaxBytes < c.FetchBytes {
		bad("fetch_max_bytes", "%d is below consumer.fetch_bytes (%d)", c.FetchMaxBytes, c.FetchBytes)
	}
	if err := c.ReconnectBackoff.Validate("consumer.reconnect_backoff"); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// defaultMaxRecordBytes is the default of ConsumerConfig.MaxRecordBytes:
// 32 MiB, far above the brokers' default record limit (1 MiB) and below
// what a few partitions' worth of in-flight records can hold in memory.
const defaultMaxRecordBytes = 32 << 20

// maxRecordBytesLimit bounds ConsumerConfig.MaxRecordBytes (see
// bounds.MaxRecordBytes).
const maxRecordBytesLimit = bounds.MaxRecordBytes

// maxFetchMaxWait bounds FetchMaxWait (see bounds.FetchMaxWait).
const maxFetchMaxWait = bounds.FetchMaxWait

// TransactionConfig configures the consumer groups of exactly-once routes
// (topology.ExactlyOnce): one transactional producer per group member
// (kept across sessions while it can go on), whose transaction is committed after MaxMessages messages or Interval,
// whichever comes first.
type TransactionConfig struct {
	// MaxMessages is how many finished messages a transaction holds at most.
	MaxMessages int
	// Interval bounds how long a transaction stays open: the latency a
	// read_committed reader sees on top of processing.
	Interval time.Duration
	// Timeout is the transaction timeout NewProducer's producers are made
	// with (sent to the broker in InitProducerId): the broker aborts a
	// transaction left open longer, such as that of a process that died
	// with one open and did not come back under the same transactional id;
	// read_committed readers of its partitions wait for it until then. At
	// least Interval (a transaction must be able to live as long as it is
	// kept open). Brokers refuse a value above their
	// transaction.max.timeout.ms (15 minutes by default) with
	// INVALID_TRANSACTION_TIMEOUT when the producer is made. The runtime
	// only checks it; NewProducer applies it.
	Timeout time.Duration
	// IDPrefix starts every transactional id: "<IDPrefix>.<group>.<member>",
	// where member is consumer.instance_id when set (stable across
	// restarts: a restarted process fences its predecessor at once), else
	// the host name and process id.
	IDPrefix string
	// NewProducer makes the transactional producer of one session.
	NewProducer func(transactionalID string) (TxnProducer, error)
}

// DefaultTransactionConfig returns the defaults: 1000 messages or 100ms,
// and a timeout of 1 minute (sarama's and the Java producer's default).
func DefaultTransactionConfig() TransactionConfig {
	return TransactionConfig{MaxMessages: 1000, Interval: 100 * time.Millisecond, Timeout: time.Minute}
}

// maxTxnTimeout is the longest transaction timeout Kafka's protocol
// carries (an int32 of milliseconds), rounded down to whole hours; brokers
// refuse far less (transaction.max.timeout.ms, 15 minutes by default).
const maxTxnTimeout = bounds.Duration

// Validate reports every invalid field, naming its key under "transaction.".
func (c TransactionConfig) Validate() error {
	var errs []error
	if c.MaxMessages < 1 {
		errs = append(errs, fmt.Errorf("%w: transaction.max_messages: %d must be at least 1", errInvalidConfig, c.MaxMessages))
	} else if c.MaxMessages > bounds.TransactionMessages {
		errs = append(errs, fmt.Errorf("%w: transaction.max_messages: %d must be at most %d", errInvalidConfig, c.MaxMessages, bounds.TransactionMessages))
	}
	if c.Interval <= 0 {
		errs = append(errs, fmt.Errorf("%w: transaction.interval: %v must be positive", errInvalidConfig, c.Interval))
	} else if c.Interval > bounds.Duration {
		errs = append(errs, fmt.Errorf("%w: transaction.interval: %v must be at most %v", errInvalidConfig, c.Interval, bounds.Duration))
	}
	switch {
	case c.Timeout < time.Millisecond:
		// Kafka carries it in whole milliseconds and refuses 0.
		errs = append(errs, fmt.Errorf("%w: transaction.timeout: %v must be at least 1ms", errInvalidConfig, c.Timeout))
	case c.Timeout > maxTxnTimeout:
		errs = append(errs, fmt.Errorf("%w: transaction.timeout: %v must be at most %v (brokers refuse more than their transaction.max.timeout.ms, 15m by default)",
			errInvalidConfig, c.Timeout, maxTxnTimeout))
	case c.Interval > 0 && c.Timeout < c.Interval:
		errs = append(errs, fmt.Errorf("%w: transaction.timeout: %v is shorter than transaction.interval %v: a transaction must be able to live as long as it is kept open",
			errInvalidConfig, c.Timeout, c.Interval))
	}
	return errors.Join(errs...)
}

// maxRebalanceTimeout is the longest rebalance timeout Kafka's protocol
// carries (an int32 of milliseconds), rounded down to whole hours.
const maxRebalanceTimeout = bounds.Duration

// validInstanceID is the group.instance.id grammar Kafka accepts.
var validInstanceID = regexp.MustCompile(`\A[A-Za-z0-9._-]+\z`)

func checkInstanceID(id string) error {
	switch {
	case id == "." || id == "..":
		return errors.New(`cannot be "." or ".."`)
	case len(id) > 249:
		return fmt.Errorf("is %d characters long; the limit is 249", len(id))
	case !validInstanceID.MatchString(id):
		return errors.New("must match [A-Za-z0-9._-]+")
	}
	return nil
}
