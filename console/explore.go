package console

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/schemas"
	"github.com/karafka-actors/karafka-actors/topology"
)

// ErrUnknownTopic is wrapped by what Explorer.Records returns for a topic
// that is none of its own (a route's, a dead letter or response topic).
// A topic of its own that the cluster does not have is an error wrapping
// client.ErrUnknownTopicOrPartition.
var ErrUnknownTopic = errors.New("console: not a topic of the explorer")

// Limits of the explorer's pages.
const (
	// DefaultLimit and MaxLimit are the records a page has by default,
	// and at most.
	DefaultLimit = 20
	MaxLimit     = 100
	// MaxDecodedBytes bounds a record's decoded document: a larger one is
	// left out, and its decode error says so.
	MaxDecodedBytes = 64 << 10
	// MaxDecodeBytes is the largest value the explorer decodes.
	MaxDecodeBytes = 1 << 20
	// MaxShownBytes is the most of a key or value a page shows; the rest
	// is cut, and the record's key_truncated or value_truncated says how
	// many bytes were.
	MaxShownBytes = 1 << 20
	// PageBytes bounds a page: once its records' keys, values, headers
	// and decoded documents reach it, the next records are left for the
	// next page (a page has at least one record).
	PageBytes = 4 << 20
)

// Explorer reads the records of an application's topics for the console:
// its routes' topics, their dead letter topics and the topics their
// responders write to, and no other. Values are decoded by the parser of
// their topic's route; a dead letter's by the parser of the route its
// karafka.origin.topic header names.
type Explorer struct {
	r      client.Reader
	topics map[string]*topicRole
}

// topicRole is what a topic is to the application.
type topicRole struct {
	route, deadLetter bool
	parser            params.Parser // the route's; nil for others
}

// NewExplorer is an Explorer reading with r the topics of routes, and the
// topics named in extra (which have no parser). Internal topics (their
// names begin with "__") are left out. r stays the caller's to close.
func NewExplorer(r client.Reader, routes []topology.Resolved, extra ...string) *Explorer {
	e := &Explorer{r: r, topics: map[string]*topicRole{}}
	role := func(name string) *topicRole {
		if name == "" || strings.HasPrefix(name, "__") {
			return &topicRole{} // not kept
		}
		if e.topics[name] == nil {
			e.topics[name] = &topicRole{}
		}
		return e.topics[name]
	}
	for _, rt := range routes {
		t := role(rt.Topic)
		t.route = true
		if t.parser == nil { // the first route of a topic decodes it
			t.parser = rt.Parser
			if t.parser == nil {
				t.parser = params.JSON
			}
		}
	}
	for _, rt := range routes {
		if rt.DeadLetter != "" {
			role(rt.DeadLetter).deadLetter = true
		}
		for _, rsp := range rt.ResponderTopics {
			role(rsp.Name)
		}
	}
	for _, name := range extra {
		role(name)
	}
	return e
}

// TopicInfo is one topic of the explorer (api/topics).
type TopicInfo struct {
	Name       string            `json:"name"`
	Partitions []PartitionBounds `json:"partitions"`
	// Route: a route consumes the topic; DeadLetter: a route's dead
	// letters go to it. A response topic is neither.
	Route      bool `json:"route"`
	DeadLetter bool `json:"dead_letter"`
	// Parser is the name of the route's parser, "" when no route
	// consumes the topic.
	Parser string `json:"parser"`
}

// PartitionBounds are the offsets a partition holds: from Start (the log
// start) to End (the high watermark), End excluded.
type PartitionBounds struct {
	Partition int32 `json:"partition"`
	Start     int64 `json:"start"`
	End       int64 `json:"end"`
}

// boundsConcurrency is how many partitions' bounds Topics asks for at once.
const boundsConcurrency = 8

// Topics returns the explorer's topics that the cluster has, by name, with
// their partitions' bounds. A topic the cluster does not have, or the
// reader may not see, is left out.
func (e *Explorer) Topics(ctx context.Context) ([]TopicInfo, error) {
	out := []TopicInfo{}
	for _, name := range slices.Sorted(maps.Keys(e.topics)) {
		ps, err := e.r.Partitions(ctx, name)
		if errors.Is(err, client.ErrUnknownTopicOrPartition) || errors.Is(err, client.ErrTopicAuthorizationFailed) {
			continue
		}
		if err != nil {
			return nil, err
		}
		role := e.topics[name]
		t := TopicInfo{Name: name, Partitions: make([]PartitionBounds, len(ps)), Route: role.route, DeadLetter: role.deadLetter}
		if role.parser != nil {
			t.Parser = role.parser.Name()
		}
		for i, p := range ps {
			t.Partitions[i].Partition = p
		}
		out = append(out, t)
	}
	// Every partition's bounds, a few at a time.
	var (
		wg    sync.WaitGroup
		sem   = make(chan struct{}, boundsConcurrency)
		mu    sync.Mutex
		first error
		gone  = map[string]bool{} // deleted since Partitions
	)
	for i := range out {
		t := &out[i]
		for j := range t.Partitions {
			pb := &t.Partitions[j]
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				start, end, err := e.r.Bounds(ctx, t.Name, pb.Partition)
				pb.Start, pb.End = start, end
				if err == nil {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if errors.Is(err, client.ErrUnknownTopicOrPartition) {
					gone[t.Name] = true
				} else if first == nil {
					first = err
				}
			}()
		}
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return slices.DeleteFunc(out, func(t TopicInfo) bool { return gone[t.Name] }), nil
}

// Query says which records of a partition Records returns.
type Query struct {
	Topic     string
	Partition int32
	// Offset is the first offset read; a negative one reads the
	// partition's last Limit offsets (its last Limit records, fewer where
	// transaction markers or compaction took offsets). An offset below
	// the log start reads from the start.
	Offset int64
	// Time, when not zero, reads from the first record whose timestamp is
	// at or after it, whatever Offset says.
	Time time.Time
	// Limit is how many records are read: DefaultLimit when 0, at most
	// MaxLimit.
	Limit int
}

// RecordsPage is one page of a partition's records (api/records).
type RecordsPage struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	// Start and End are the partition's bounds (see PartitionBounds).
	Start int64 `json:"start"`
	End   int64 `json:"end"`
	// Next is where the next page starts: past the last record of this
	// one; where this one began (at most End) when it has none.
	Next    int64        `json:"next"`
	Records []RecordInfo `json:"records"`
}

// RecordInfo is one record as the explorer shows it. Keys, values and
// header values that are valid UTF-8 are text; others are base64, and
// their *_base64 field is true. A null key or value is null.
type RecordInfo struct {
	Offset      int64        `json:"offset"`
	Time        time.Time    `json:"time"`
	Key         *string      `json:"key"`
	KeyBase64   bool         `json:"key_base64"`
	Headers     []HeaderInfo `json:"headers"`
	Value       *string      `json:"value"`
	ValueBase64 bool         `json:"value_base64"`
	// Decoded is the value as its parser reads it, as JSON: null when
	// there is no parser (or one that passes bytes through), no value, or
	// DecodeError.
	Decoded     json.RawMessage `json:"decoded"`
	DecodeError string          `json:"decode_error"`
	// Parser is the name of the parser that decoded the value, "" when
	// none did.
	Parser string `json:"parser"`
	// KeyTruncated and ValueTruncated are the bytes of a key or value
	// beyond MaxShownBytes, left out of Key and Value.
	KeyTruncated   int `json:"key_truncated,omitempty"`
	ValueTruncated int `json:"value_truncated,omitempty"`
}

// HeaderInfo is one header of a record, in the record's order; a null value
// is null.
type HeaderInfo struct {
	Key         string  `json:"key"`
	Value       *string `json:"value"`
	ValueBase64 bool    `json:"value_base64,omitempty"`
}

// Records reads a page of q's partition. A topic that is not the
// explorer's is an error wrapping ErrUnknownTopic; one, or a partition,
// the cluster does not have wraps client.ErrUnknownTopicOrPartition. A
// value its parser cannot decode is no error: its record says why.
func (e *Explorer) Records(ctx context.Context, q Query) (RecordsPage, error) {
	role, ok := e.topics[q.Topic]
	if !ok {
		return RecordsPage{}, fmt.Errorf("%w: %q", ErrUnknownTopic, q.Topic)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	start, end, err := e.r.Bounds(ctx, q.Topic, q.Partition)
	if err != nil {
		return RecordsPage{}, err
	}
	from := q.Offset
	switch {
	case !q.Time.IsZero():
		if from, err = e.r.OffsetAt(ctx, q.Topic, q.Partition, q.Time); err != nil {
			return RecordsPage{}, err
		}
	case from < 0:
		from = end - int64(limit)
	}
	from = max(from, start)
	recs, err := e.r.Read(ctx, q.Topic, q.Partition, from, limit)
	if err != nil {
		return RecordsPage{}, err
	}
	page := RecordsPage{Topic: q.Topic, Partition: q.Partition, Start: start, End: end, Next: min(from, end), Records: []RecordInfo{}}
	d := pageDecoder{e: e, role: role}
	size := 0
	for _, rec := range recs {
		if size >= PageBytes {
			break // for the next page
		}
		info, n := d.record(rec)
		page.Records = append(page.Records, info)
		page.Next = rec.Offset + 1
		size += n
	}
	page.End = max(page.End, page.Next) // Read saw records that came since
	return page, nil
}

// pageDecoder decodes the values of one page.
type pageDecoder struct {
	e    *Explorer
	role *topicRole
	// down are the parsers that could not reach a service they need
	// (a schema registry) on this page, with why: they are not asked
	// again, so a page does not wait for an outage once per record.
	down map[params.Parser]string
}

// record is rec as the explorer shows it, and about how many bytes it
// takes.
func (d *pageDecoder) record(rec client.Record) (RecordInfo, int) {
	info := RecordInfo{Offset: rec.Offset, Time: rec.Timestamp.UTC(), Headers: []HeaderInfo{}}
	info.Key, info.KeyBase64, info.KeyTruncated = shownText(rec.Key)
	info.Value, info.ValueBase64, info.ValueTruncated = shownText(rec.Value)
	size := len(rec.Key) + len(rec.Value) - info.KeyTruncated - info.ValueTruncated
	for _, h := range rec.Headers {
		v, b64, _ := shownText(h.Value)
		info.Headers = append(info.Headers, HeaderInfo{Key: h.Key, Value: v, ValueBase64: b64})
		size += len(h.Key) + len(h.Value)
	}
	p := d.parserOf(rec)
	if p == nil {
		return info, size
	}
	info.Parser = p.Name()
	if rec.Value == nil {
		return info, size // a tombstone: nothing to decode
	}
	info.Decoded, info.DecodeError = d.decode(p, rec.Value)
	return info, size + len(info.Decoded)
}

// parserOf is the parser of rec's value: its topic's route's, else, for a
// dead letter, that of the route its karafka.origin.topic names.
func (d *pageDecoder) parserOf(rec client.Record) params.Parser {
	if d.role.parser != nil || !d.role.deadLetter {
		return d.role.parser
	}
	origin := ""
	for _, h := range rec.Headers { // the runtime writes one; the last wins
		if h.Key == pipeline.HeaderOriginTopic {
			origin = string(h.Value)
		}
	}
	if r := d.e.topics[origin]; r != nil && r.route {
		return r.parser
	}
	return nil
}

// decode is value as p parses it, as JSON, or why it is not shown.
func (d *pageDecoder) decode(p params.Parser, value []byte) (doc json.RawMessage, reason string) {
	if why, ok := d.down[p]; ok {
		return nil, why
	}
	if len(value) > MaxDecodeBytes {
		return nil, fmt.Sprintf("the value is %d bytes: more than the %d the explorer decodes", len(value), MaxDecodeBytes)
	}
	v, err := safeParse(p, value)
	if errors.Is(err, params.ErrUnavailable) {
		if d.down == nil {
			d.down = map[params.Parser]string{}
		}
		d.down[p] = err.Error()
	}
	if err != nil {
		return nil, err.Error()
	}
	if _, raw := v.([]byte); raw {
		return nil, "" // bytes passed through: the value says it all
	}
	doc, err = schemas.MarshalJSON(v)
	if err != nil {
		return nil, fmt.Sprintf("the decoded value has no JSON form: %v", err)
	}
	if len(doc) > MaxDecodedBytes {
		return nil, fmt.Sprintf("the decoded value is %d bytes as JSON: too big to show (more than %d)", len(doc), MaxDecodedBytes)
	}
	return doc, ""
}

// safeParse is p.Parse(value), a panic of p's an error.
func safeParse(p params.Parser, value []byte) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("parser %s failed on this value: %v", p.Name(), r)
		}
	}()
	return p.Parse(value)
}

// shownText is b as the explorer shows it: nil for null, else its first
// MaxShownBytes as text when valid UTF-8, else as base64 (b64), and how
// many bytes were cut.
func shownText(b []byte) (s *string, b64 bool, cut int) {
	if b == nil {
		return nil, false, 0
	}
	if len(b) > MaxShownBytes {
		n := MaxShownBytes
		for n > MaxShownBytes-utf8.UTFMax && n > 0 && !utf8.RuneStart(b[n]) {
			n-- // not in the middle of a character
		}
		cut, b = len(b)-n, b[:n]
	}
	var out string
	if utf8.Valid(b) {
		out = string(b)
	} else {
		out, b64 = base64.StdEncoding.EncodeToString(b), true
	}
	return &out, b64, cut
}
