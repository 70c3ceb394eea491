package deadletters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
)

// HeaderReplayed is the header of a replayed record that names the dead
// letter it came from: "DLQTOPIC/PARTITION@OFFSET".
const HeaderReplayed = "karafka.replayed"

var (
	// ErrInvalidRequest is wrapped by the error of a [Request] that asks
	// for nothing sensible (no topic, a negative offset, To before From).
	ErrInvalidRequest = errors.New("deadletters: invalid request")

	// ErrStopped is matched by the error of a replay that stopped before
	// the end of its range: a [StoppedError].
	ErrStopped = errors.New("deadletters: replay stopped")
)

// Request says which dead letters to replay.
type Request struct {
	// Topic is the dead letter topic.
	Topic string
	// Partition is the partition of Topic to replay; -1: every partition,
	// one after the other in order.
	Partition int32
	// From and To are the offsets to replay in each partition, To
	// exclusive; To -1: the end the partition had when Replay began (dead
	// letters written during the replay are not replayed). A From below
	// the partition's log start is the log start.
	From, To int64
	// DryRun reads and checks the dead letters and says what would be
	// sent, sending nothing.
	DryRun bool
}

// Status is what became of one dead letter.
type Status string

// The statuses of an [Outcome].
const (
	StatusReplayed    Status = "replayed"     // sent back and acknowledged
	StatusSkipped     Status = "skipped"      // not replayable; Outcome.Error says why
	StatusFailed      Status = "failed"       // the replay stopped at it; Outcome.Error says why
	StatusWouldReplay Status = "would replay" // a dry run's replayable dead letter
)

// Outcome is what became of one dead letter.
type Outcome struct {
	// Partition and Offset are the dead letter's, in the dead letter topic.
	Partition int32
	Offset    int64
	// OriginTopic, OriginPartition and OriginOffset are where the record
	// failed, as the dead letter's headers name it ("" and -1 when they
	// do not).
	OriginTopic     string
	OriginPartition int32
	OriginOffset    int64
	Status          Status
	// SentOffset is the offset of the replayed record in OriginTopic's
	// OriginPartition (StatusReplayed); -1 otherwise.
	SentOffset int64
	// Error is why the dead letter was skipped or the replay stopped at
	// it; "" when it was (or would be) replayed.
	Error string
}

// Range is the offsets of one partition a replay went through: From up to
// To (exclusive), the request's bounds within what the partition held.
type Range struct {
	Partition int32
	From, To  int64
}

// Result is what a replay did.
type Result struct {
	// Replayed counts the dead letters sent back and acknowledged.
	Replayed int
	// WouldReplay counts, in a dry run, the dead letters that would be.
	WouldReplay int
	// Skipped counts the dead letters that cannot be replayed.
	Skipped int
	// Ranges are the partitions read, in order.
	Ranges []Range
	// Records are the outcomes, one per dead letter read, in order.
	Records []Outcome
}

// StoppedError is the error of a replay that stopped at a dead letter
// before the end of its range. It matches [ErrStopped] and unwraps to its
// cause (errors.Is(err, client.ErrUnknownTopicOrPartition) for an origin
// topic that does not exist, for instance).
type StoppedError struct {
	// Topic, Partition and Offset name the dead letter the replay
	// stopped at: it was not replayed (or, when the producer's wait for
	// its acknowledgement ended, may have been), and a replay resumed
	// from Offset of Partition sends nothing twice but it.
	Topic     string
	Partition int32
	Offset    int64
	// LastReplayed is the offset of the last dead letter of Partition
	// replayed before (-1: none in this replay).
	LastReplayed int64
	// NotStarted are the partitions of a replay of every partition that
	// were not reached.
	NotStarted []int32
	// Replayed and Skipped count what was done before it stopped.
	Replayed, Skipped int
	DryRun            bool
	Err               error
}

func (e *StoppedError) Error() string {
	var b strings.Builder
	if e.DryRun {
		fmt.Fprintf(&b, "deadletters: dry run: a replay of %s would stop at %s/%d@%d: %v", e.Topic, e.Topic, e.Partition, e.Offset, e.Err)
	} else {
		fmt.Fprintf(&b, "deadletters: replay of %s stopped at %s/%d@%d: %v", e.Topic, e.Topic, e.Partition, e.Offset, e.Err)
	}
	fmt.Fprintf(&b, " (%d replayed and %d skipped before it", e.Replayed, e.Skipped)
	if e.LastReplayed >= 0 {
		fmt.Fprintf(&b, ", the last of partition %d at offset %d", e.Partition, e.LastReplayed)
	}
	fmt.Fprintf(&b, "; resume from offset %d of partition %d", e.Offset, e.Partition)
	if len(e.NotStarted) > 0 {
		fmt.Fprintf(&b, "; partitions %s not started", joinPartitions(e.NotStarted))
	}
	b.WriteByte(')')
	return b.String()
}

func (e *StoppedError) Unwrap() []error { return []error{ErrStopped, e.Err} }

func joinPartitions(ps []int32) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ", ")
}

// Option customises [Replay].
type Option func(*options)

type options struct {
	producer producer.Config
	logger   *slog.Logger
	progress func(Outcome)
}

// WithProducerConfig sets the configuration of the producer that sends
// the records back (default producer.DefaultConfig()); its Kafka is
// replaced by Replay's. A dead letter topic written under a
// producer.max_message_bytes above the default needs it.
func WithProducerConfig(c producer.Config) Option {
	return func(o *options) { o.producer = c }
}

// WithLogger sets the producer's logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithProgress calls f with each outcome as soon as it is known, on
// Replay's goroutine (Result.Records has them all at the end).
func WithProgress(f func(Outcome)) Option {
	return func(o *options) { o.progress = f }
}

// readBatch is how many dead letters one read asks for.
const readBatch = 100

// Replay sends the dead letters of req.Topic in req's range back to their
// origin topic and partition (see the package documentation), one at a
// time, each acknowledged before the next is sent, or with req.DryRun
// only says what it would send.
//
// A dead letter is skipped, with the reason, when it is not the original
// record (cut to fit: it has karafka.truncated.* headers), is a marker
// standing for a dead letter the cluster refused, or does not name its
// origin (no karafka.origin.topic, or no valid karafka.origin.partition).
// Its origin topic must exist and have its partition (asked of the
// cluster, so that no topic is created by a replay): one that does not,
// a send that fails, a read that fails or ctx ending stop the replay with
// a [StoppedError]; the Result says what was done until then.
//
// Errors before anything is read: a request that wraps [ErrInvalidRequest],
// a configuration that wraps kafka.ErrInvalidConfig, a dead letter topic
// or partition that does not exist (wrapping
// client.ErrUnknownTopicOrPartition), a cluster that cannot be reached.
func Replay(ctx context.Context, cfg kafka.Config, req Request, opts ...Option) (Result, error) {
	o := options{producer: producer.DefaultConfig(), logger: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	if err := req.validate(); err != nil {
		return Result{}, err
	}
	o.producer.Kafka = cfg
	if err := o.producer.Validate(); err != nil { // cfg's problems too
		return Result{}, err
	}
	rd, err := clients.NewReader(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	defer rd.Close()
	ranges, err := plan(ctx, rd, req)
	if err != nil {
		return Result{}, err
	}
	r := &replayer{req: req, cfg: cfg, o: o, rd: rd, partitions: map[string]int32{}}
	defer r.close()
	r.res.Ranges = ranges
	for i, rg := range ranges {
		r.last = -1
		if err := r.replay(ctx, rg); err != nil {
			var stop *StoppedError
			if errors.As(err, &stop) {
				for _, rest := range ranges[i+1:] {
					stop.NotStarted = append(stop.NotStarted, rest.Partition)
				}
			}
			return r.res, err
		}
	}
	return r.res, nil
}

func (req Request) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidRequest, fmt.Sprintf(format, a...))
	}
	switch {
	case req.Topic == "":
		return bad("no dead letter topic")
	case req.Partition < -1:
		return bad("partition %d: want a partition number, or -1 for every partition", req.Partition)
	case req.From < 0:
		return bad("from %d: want an offset, 0 or more", req.From)
	case req.To < -1:
		return bad("to %d: want an offset, or -1 for the end", req.To)
	case req.To >= 0 && req.To < req.From:
		return bad("to %d is before from %d", req.To, req.From)
	}
	return nil
}

// plan returns the ranges of req's partitions, bounded by what each holds
// now.
func plan(ctx context.Context, rd client.Reader, req Request) ([]Range, error) {
	parts, err := rd.Partitions(ctx, req.Topic)
	if err != nil {
		return nil, fmt.Errorf("deadletters: the dead letter topic: %w", err)
	}
	if req.Partition >= 0 {
		if !slices.Contains(parts, req.Partition) {
			return nil, fmt.Errorf("deadletters: dead letter topic %s has no partition %d (it has %d): %w",
				req.Topic, req.Partition, len(parts), client.ErrUnknownTopicOrPartition)
		}
		parts = []int32{req.Partition}
	}
	ranges := make([]Range, 0, len(parts))
	for _, p := range parts {
		start, end, err := rd.Bounds(ctx, req.Topic, p)
		if err != nil {
			return nil, fmt.Errorf("deadletters: the dead letter topic's offsets: %w", err)
		}
		rg := Range{Partition: p, From: max(req.From, start), To: end}
		if req.To >= 0 {
			rg.To = min(req.To, end)
		}
		rg.To = max(rg.To, rg.From)
		ranges = append(ranges, rg)
	}
	return ranges, nil
}

// replayer is one replay under way.
type replayer struct {
	req   Request
	cfg   kafka.Config
	o     options
	rd    client.Reader
	admin client.Admin       // made for the first origin topic checked
	prod  *producer.Producer // made for the first record sent
	// partitions are the partition counts of the origin topics checked.
	partitions map[string]int32
	// last is the offset of the last dead letter replayed of the
	// partition under way (-1: none).
	last int64
	res  Result
}

func (r *replayer) close() {
	if r.prod != nil {
		_ = r.prod.Close()
	}
	if r.admin != nil {
		_ = r.admin.Close()
	}
}

// replay goes through one partition's range.
func (r *replayer) replay(ctx context.Context, rg Range) error {
	for off := rg.From; off < rg.To; {
		if err := ctx.Err(); err != nil {
			return r.stop(rg.Partition, off, err)
		}
		recs, err := r.rd.Read(ctx, r.req.Topic, rg.Partition, off, readBatch)
		if err != nil {
			return r.stop(rg.Partition, off, fmt.Errorf("reading it: %w", err))
		}
		if len(recs) == 0 {
			return nil // nothing but control records (or nothing) left before the end
		}
		for i := range recs {
			rec := &recs[i]
			if rec.Offset >= rg.To {
				return nil
			}
			if rec.Offset < off {
				continue
			}
			if err := r.one(ctx, rec); err != nil {
				return err
			}
			off = rec.Offset + 1
		}
	}
	return nil
}

// one replays (or skips) one dead letter.
func (r *replayer) one(ctx context.Context, rec *client.Record) error {
	dl := inspect(rec)
	out := Outcome{Partition: rec.Partition, Offset: rec.Offset,
		OriginTopic: dl.topic, OriginPartition: dl.partition, OriginOffset: dl.offset, SentOffset: -1}
	if dl.skip != "" {
		out.Status, out.Error = StatusSkipped, dl.skip
		r.res.Skipped++
		r.record(out)
		return nil
	}
	fail := func(err error) error {
		out.Status, out.Error = StatusFailed, err.Error()
		r.record(out)
		return r.stop(rec.Partition, rec.Offset, err)
	}
	if err := r.check(ctx, dl.topic, dl.partition); err != nil {
		return fail(err)
	}
	msg := message(r.req.Topic, rec, dl)
	if r.req.DryRun {
		out.Status = StatusWouldReplay
		r.res.WouldReplay++
		r.record(out)
		return nil
	}
	if r.prod == nil {
		p, err := producer.New(r.o.producer, producer.WithLogger(r.o.logger))
		if err != nil {
			return fail(err)
		}
		r.prod = p
	}
	sent, err := r.prod.Send(ctx, msg)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (before its acknowledgement: it may have been sent to %s)", err, where(dl.topic, dl.partition))
		} else {
			err = fmt.Errorf("sending it to %s: %w", where(dl.topic, dl.partition), err)
		}
		return fail(err)
	}
	out.Status, out.SentOffset = StatusReplayed, sent.Offset
	r.res.Replayed++
	r.last = rec.Offset
	r.record(out)
	return nil
}

func (r *replayer) record(out Outcome) {
	r.res.Records = append(r.res.Records, out)
	if r.o.progress != nil {
		r.o.progress(out)
	}
}

func (r *replayer) stop(partition int32, offset int64, err error) error {
	return &StoppedError{Topic: r.req.Topic, Partition: partition, Offset: offset, LastReplayed: r.last,
		Replayed: r.res.Replayed, Skipped: r.res.Skipped, DryRun: r.req.DryRun, Err: err}
}

// check returns nil when topic exists with partition, asking the cluster
// once per topic.
func (r *replayer) check(ctx context.Context, topic string, partition int32) error {
	n, ok := r.partitions[topic]
	if !ok {
		if r.admin == nil {
			a, err := clients.NewAdmin(ctx, r.cfg)
			if err != nil {
				return err
			}
			r.admin = a
		}
		topics, err := r.admin.ListTopics(ctx, topic)
		switch {
		case errors.Is(err, client.ErrUnknownTopicOrPartition):
			return fmt.Errorf("the origin topic does not exist (a replay creates none): %w", err)
		case err != nil:
			return fmt.Errorf("the origin topic: %w", err)
		}
		n = topics[topic].Partitions
		r.partitions[topic] = n
	}
	if partition >= n {
		return fmt.Errorf("origin topic %s has %d partitions, no partition %d: %w", quoted(topic), n, partition, producer.ErrInvalidPartition)
	}
	return nil
}

// letter is what a dead letter's headers say.
type letter struct {
	topic     string
	partition int32
	offset    int64
	// skip is why it cannot be replayed; "" when it can.
	skip string
}

// inspect reads rec's dead letter headers: the last of each, those the
// runtime appended.
func inspect(rec *client.Record) letter {
	dl := letter{partition: -1, offset: -1}
	var partition, errText []byte
	var hasTopic, hasPartition bool
	var truncated []string
	for _, h := range rec.Headers {
		switch {
		case h.Key == pipeline.HeaderOriginTopic:
			dl.topic, hasTopic = string(h.Value), true
		case h.Key == pipeline.HeaderOriginPartition:
			partition, hasPartition = h.Value, true
		case h.Key == pipeline.HeaderOriginOffset:
			dl.offset = -1
			if o, err := strconv.ParseInt(string(h.Value), 10, 64); err == nil && o >= 0 {
				dl.offset = o
			}
		case h.Key == pipeline.HeaderError:
			errText = h.Value
		case strings.HasPrefix(h.Key, truncatedPrefix):
			truncated = append(truncated, h.Key)
		}
	}
	if hasPartition {
		if p, err := strconv.ParseInt(string(partition), 10, 32); err == nil && p >= 0 {
			dl.partition = int32(p)
		}
	}
	origin := where(dl.topic, dl.partition)
	if dl.offset >= 0 {
		origin += "@" + strconv.FormatInt(dl.offset, 10)
	}
	switch {
	case !hasTopic || dl.topic == "":
		dl.skip = "no " + pipeline.HeaderOriginTopic + " header: not a dead letter of karafka-actors"
	case pipeline.IsMarker(rec.Value, errText):
		dl.skip = "a marker: it stands for a dead letter the cluster refused and holds no record; the original is at " + origin + " until its retention removes it"
	case len(truncated) > 0:
		dl.skip = "cut to fit (" + strings.Join(truncated, ", ") + "): not the original record; the original is at " + origin + " until its retention removes it"
	case !hasPartition:
		dl.skip = "no " + pipeline.HeaderOriginPartition + " header"
	case dl.partition < 0:
		dl.skip = pipeline.HeaderOriginPartition + " " + strconv.Quote(string(partition)) + " is not a partition number"
	}
	return dl
}

// truncatedPrefix starts the headers of a dead letter cut to fit.
const truncatedPrefix = "karafka.truncated."

// message is the record that replays rec, a dead letter of dlq: its key
// and value, its input headers under their own names, without the dead
// letter's karafka.* headers, plus HeaderReplayed, to its origin
// partition.
func message(dlq string, rec *client.Record, dl letter) *producer.Message {
	const renamed = pipeline.InputHeaderPrefix + pipeline.FrameworkHeaderPrefix
	headers := make([]producer.Header, 0, len(rec.Headers)+1)
	for _, h := range rec.Headers {
		switch {
		case strings.HasPrefix(h.Key, renamed):
			h.Key = strings.TrimPrefix(h.Key, pipeline.InputHeaderPrefix)
		case strings.HasPrefix(h.Key, pipeline.FrameworkHeaderPrefix):
			continue
		}
		headers = append(headers, producer.Header{Key: h.Key, Value: h.Value})
	}
	headers = append(headers, producer.Header{Key: HeaderReplayed,
		Value: fmt.Appendf(nil, "%s/%d@%d", dlq, rec.Partition, rec.Offset)})
	return &producer.Message{Topic: dl.topic, Key: rec.Key, Value: rec.Value, Headers: headers,
		Partition: dl.partition, ExplicitPartition: true}
}

// where names a topic's partition, the topic quoted unless it is a plain
// topic name (a header may hold anything).
func where(topic string, partition int32) string {
	if partition < 0 {
		return quoted(topic)
	}
	return quoted(topic) + "/" + strconv.Itoa(int(partition))
}

// quoted is topic, Go-quoted unless it is made of the characters a Kafka
// topic name may have.
func quoted(topic string) string {
	if topic == "" {
		return `""`
	}
	for _, c := range topic {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return strconv.Quote(topic)
		}
	}
	return topic
}
