package pipeline

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/karafka-actors/karafka-actors/producer"
)

// Headers added to a dead-lettered message, next to its original headers.
const (
	HeaderOriginTopic     = "karafka.origin.topic"
	HeaderOriginPartition = "karafka.origin.partition"
	HeaderOriginOffset    = "karafka.origin.offset"
	HeaderError           = "karafka.error"
	HeaderAttempts        = "karafka.attempts"
	HeaderStage           = "karafka.stage"
)

// Headers of a dead letter cut to fit the producer's limit: each says what
// was left out, as a decimal count of bytes (value, key) or headers.
const (
	HeaderTruncatedValue   = "karafka.truncated.value"
	HeaderTruncatedKey     = "karafka.truncated.key"
	HeaderTruncatedHeaders = "karafka.truncated.headers"
)

// FrameworkHeaderPrefix starts the name of every header the runtime writes.
const FrameworkHeaderPrefix = "karafka."

// InputHeaderPrefix is put before the name of an input record's header that
// starts with FrameworkHeaderPrefix when the record is dead-lettered, so
// that the dead letter's karafka.* headers are only the runtime's: a record
// carrying a forged karafka.origin.topic keeps it as
// input.karafka.origin.topic.
const InputHeaderPrefix = "input."

// DeadLetterHeaderCount is how many headers AppendDeadLetterHeaders appends.
const DeadLetterHeaderCount = 6

// MaxErrorHeaderBytes bounds the karafka.error header: an error may quote
// the payload it failed on, and the dead letter must stay small enough to
// send.
const MaxErrorHeaderBytes = 4096

// Failure names a failed message for its dead letter headers.
type Failure struct {
	Topic     string
	Partition int32
	Offset    int64
	Stage     string // "controller" or "responder"
	Attempt   int
	Err       error
}

// AppendDeadLetterHeaders appends to dst (the record's original headers) the
// headers naming its origin and failure, in the order the runtime writes them.
func AppendDeadLetterHeaders(dst []producer.Header, f Failure) []producer.Header {
	return append(dst,
		producer.Header{Key: HeaderOriginTopic, Value: []byte(f.Topic)},
		producer.Header{Key: HeaderOriginPartition, Value: strconv.AppendInt(nil, int64(f.Partition), 10)},
		producer.Header{Key: HeaderOriginOffset, Value: strconv.AppendInt(nil, f.Offset, 10)},
		producer.Header{Key: HeaderError, Value: errorText(f.Err)},
		producer.Header{Key: HeaderAttempts, Value: strconv.AppendInt(nil, int64(f.Attempt), 10)},
		producer.Header{Key: HeaderStage, Value: []byte(f.Stage)},
	)
}

// errorText is err's message, cut to MaxErrorHeaderBytes on a rune boundary.
func errorText(err error) []byte {
	s := err.Error()
	if len(s) <= MaxErrorHeaderBytes {
		return []byte(s)
	}
	const mark = "… (cut)"
	n := MaxErrorHeaderBytes - len(mark)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return []byte(s[:n] + mark)
}

// DeadLetter builds the dead letter of a record (key, value and headers in)
// for topic: the record as it came, its headers named karafka.* renamed
// under InputHeaderPrefix, and the headers naming its origin and failure.
// When that is larger than limit bytes (producer.Size; limit <= 0: no
// limit), what does not fit is left out, and a header says how much: the
// input headers first, then the key, then the end of the value. A dead
// letter is then always sent; the record as it came stays in its topic at
// the offset its headers name (until the topic's retention removes it).
func DeadLetter(topic string, key, value []byte, in []producer.Header, f Failure, limit int) producer.Message {
	headers := make([]producer.Header, 0, len(in)+DeadLetterHeaderCount)
	for _, h := range in {
		if strings.HasPrefix(h.Key, FrameworkHeaderPrefix) {
			h.Key = InputHeaderPrefix + h.Key
		}
		headers = append(headers, h)
	}
	headers = AppendDeadLetterHeaders(headers, f)
	msg := producer.Message{Topic: topic, Key: key, Value: value, Headers: headers}
	if limit <= 0 || producer.Size(&msg) <= limit {
		return msg
	}
	return fit(msg, len(in), limit)
}

// fit leaves out of msg, a dead letter whose first n headers are its
// input's, what does not fit in limit bytes.
func fit(msg producer.Message, n, limit int) producer.Message {
	value := msg.Value
	msg.Value = nil
	// The counts these headers carry have at most 20 digits.
	room := func() int {
		return limit - producer.Size(&msg) - producer.HeaderSize(producer.Header{Key: HeaderTruncatedValue, Value: make([]byte, 20)})
	}
	if n > 0 && room() < 0 {
		msg.Headers = slices.Clip(msg.Headers[n:])
		msg.Headers = appendCount(msg.Headers, HeaderTruncatedHeaders, n)
	}
	if len(msg.Key) > 0 && room() < 0 {
		msg.Headers = appendCount(msg.Headers, HeaderTruncatedKey, len(msg.Key))
		msg.Key = nil
	}
	keep := min(max(room(), 0), len(value))
	msg.Value = value[:keep:keep]
	if keep < len(value) {
		msg.Headers = appendCount(msg.Headers, HeaderTruncatedValue, len(value))
	}
	return msg
}

// Marker builds the record for topic that stands for a dead letter the
// cluster refused for good (refusal) of a record (key, value, in headers):
// the failure headers with both errors, the key when it is short, an empty
// value, no input headers, and the sizes of what was left out.
func Marker(topic string, key, value []byte, in int, f Failure, refusal error) producer.Message {
	f.Err = &markerError{refusal: refusal, cause: f.Err}
	var headers []producer.Header
	headers = AppendDeadLetterHeaders(headers, f)
	if len(value) > 0 {
		headers = appendCount(headers, HeaderTruncatedValue, len(value))
	}
	if in > 0 {
		headers = appendCount(headers, HeaderTruncatedHeaders, in)
	}
	if len(key) > maxMarkerKey {
		headers = appendCount(headers, HeaderTruncatedKey, len(key))
		key = nil
	}
	return producer.Message{Topic: topic, Key: key, Value: []byte{}, Headers: headers}
}

// maxMarkerKey is the longest key a marker keeps.
const maxMarkerKey = 1024

// markerErrorPrefix starts the karafka.error header of every marker.
const markerErrorPrefix = "dead letter refused ("

// IsMarker reports whether a dead letter with value and the karafka.error
// header errorHeader is a marker ([Marker]): it has an empty value and
// its error says it stands for a dead letter the cluster refused.
func IsMarker(value, errorHeader []byte) bool {
	return len(value) == 0 && strings.HasPrefix(string(errorHeader), markerErrorPrefix)
}

type markerError struct{ refusal, cause error }

func (e *markerError) Error() string {
	return markerErrorPrefix + e.refusal.Error() + "); this marker stands for it; cause: " + e.cause.Error()
}

func (e *markerError) Unwrap() []error { return []error{e.refusal, e.cause} }

func appendCount(headers []producer.Header, key string, n int) []producer.Header {
	return append(headers, producer.Header{Key: key, Value: strconv.AppendInt(nil, int64(n), 10)})
}
