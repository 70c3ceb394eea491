package client

import (
	"context"
	"log/slog"
	"time"

	"github.com/karafka-actors/karafka-actors/kafka"
)

// GroupConfig is one consumer group member: the group, its topics and how
// it fetches. Every field is set by the runtime; zero means the client's
// default only where said.
type GroupConfig struct {
	Kafka  kafka.Config
	Group  string
	Topics []string
	// InstanceID is the static membership id (KIP-345); "" for dynamic.
	InstanceID        string
	SessionTimeout    time.Duration
	HeartbeatInterval time.Duration
	RebalanceTimeout  time.Duration
	// FromBeginning starts a partition with no committed offset at its
	// oldest record; otherwise at its end.
	FromBeginning bool
	// ReadCommitted reads committed records only and fetches committed
	// offsets stable (exactly-once groups, KIP-447).
	ReadCommitted bool
	FetchMaxWait  time.Duration
	// FetchBytes and FetchMaxBytes are the bytes asked per partition and
	// per fetch request.
	FetchBytes    int
	FetchMaxBytes int
	// Buffer is how many fetched records a claim holds ready per partition.
	Buffer int
	// Logger receives what the client has to say; nil discards it.
	Logger *slog.Logger
}

// Group is one consumer group member. Consume runs one session at a time
// (one generation of the group); Pause, Resume, CutJoin and Cut may be
// called from any goroutine.
type Group interface {
	// Consume connects if needed, joins the group and runs one session:
	// h.Setup, then h.ConsumeClaim in a goroutine of its own per assigned
	// partition, then, once every ConsumeClaim returned, h.Cleanup. It
	// returns nil when the session ended for a rebalance (call it again),
	// ctx's cause when ctx ended, or why connecting or joining failed:
	// such errors wrap [ErrUnreachable] when no broker answered, and carry
	// the Kafka error code ([Error]) when the group refused the member.
	// After Close it returns an error matching [ErrClosed].
	Consume(ctx context.Context, h Handler) error
	// Connected reports whether the member's client is up: it reached a
	// broker and was not closed since.
	Connected() bool
	// Missing returns which of the group's topics the cluster does not
	// have, as the last failed join saw them; nil when it cannot tell.
	Missing() []string
	// Pause stops fetching a partition of the current session until
	// Resume; both are no-ops for partitions not assigned.
	Pause(topic string, partition int32)
	Resume(topic string, partition int32)
	// CutJoin makes every pending and later wait for the broker end by at
	// while the member is joining (outside a session); in a session it
	// does nothing. Cut does it whatever the member is doing. Both serve
	// shutdown: a join the coordinator holds, or a broker that stopped
	// answering, never holds it hostage.
	CutJoin(at time.Time)
	Cut(at time.Time)
	// Close leaves the group and closes the connections.
	Close() error
}

// Handler receives one session's life: see [Group].Consume.
type Handler interface {
	// Setup is called when a session starts, before any claim; an error
	// ends the session and is what Consume returns.
	Setup(Session) error
	// ConsumeClaim consumes one assigned partition until its claim ends
	// (Claim.Fetch says so) and returns once it let go of it.
	ConsumeClaim(Session, Claim) error
	// Cleanup is called once every ConsumeClaim returned; what is marked
	// then is committed by the session before the partitions are handed
	// back if Cleanup commits it.
	Cleanup(Session) error
}

// Member identifies a group member in one generation, as transactional
// offset commits need it so that the broker fences a stale member (KIP-447).
type Member struct {
	Group      string
	MemberID   string
	Generation int32
	InstanceID string // "" without static membership
}

// Offset is the offset to resume a partition from.
type Offset struct {
	Topic     string
	Partition int32
	Offset    int64
}

// Session is one generation of the group member.
type Session interface {
	// Context ends when the session ends.
	Context() context.Context
	// MarkOffset notes next as the offset to resume topic/partition from;
	// the next Commit sends it.
	MarkOffset(topic string, partition int32, next int64)
	// Commit sends the marked offsets and waits for the answer. A failed
	// commit is reported to the client's logger and sent again by the
	// next Commit.
	Commit()
	// Member is who the session is, for transactional offset commits.
	Member() Member
}

// Claim is one partition assigned in a session: its records in order.
type Claim interface {
	Topic() string
	Partition() int32
	// InitialOffset is where consuming starts: the committed offset, or
	// -1 when the client does not know it yet.
	InitialOffset() int64
	// HighWaterMark is the offset after the partition's last record, as
	// the last fetch saw it.
	HighWaterMark() int64
	// Fetch waits until a record is ready or the claim ends, then appends
	// the ready records to buf, at most max (max >= 1), without waiting
	// for more. ok is false once the claim ended (the session ends, or the
	// partition is revoked): nothing is appended then.
	Fetch(buf []Record, max int) (out []Record, ok bool)
}

// Factory makes the parts of one client implementation.
type Factory interface {
	// Name is the implementation's name as kafka.client says it.
	Name() string
	// NewGroup checks cfg and returns a member that connects on its first
	// Consume. Errors wrap kafka.ErrInvalidConfig.
	NewGroup(cfg GroupConfig) (Group, error)
}
